import { FAULT_KINDS, type FaultKind, type HeldUser, type NormalizedSandboxOptions, type SandboxCredential, type SandboxOptions } from './types.js';
import { EMAIL_PATTERN, localPart } from './validate-fields.js';

/** The defaults every option falls back to. */
export const SANDBOX_DEFAULTS: Readonly<NormalizedSandboxOptions> = Object.freeze({
  brand: 'sandbox',
  email: 'importer@example.com',
  token: 'sandbox-token',
  credentials: [],
  channels: ['support'],
  keyField: 'import_key',
  rateLimit: null,
  retryAfter: false,
  latencyMs: 0,
  createdStatus: 201,
  faults: {},
  faultRates: {},
  messageFaults: false,
  seed: 1,
  hangMs: 30_000,
  staff: [],
  staffListing: true,
  ignoreDataFilter: false,
  redirectTo: null,
  dripMs: 500,
  listedOriginIds: 'echo',
  listsOpener: true,
  listedBodies: 'as-sent',
});

/** Applies a patch to normalized options; throws a RangeError on a value the server cannot honour. */
export function mergeSandboxOptions(
  base: NormalizedSandboxOptions,
  patch: Partial<SandboxOptions>,
): NormalizedSandboxOptions {
  const merged: NormalizedSandboxOptions = { ...base };
  for (const name of Object.keys(SANDBOX_DEFAULTS) as (keyof NormalizedSandboxOptions)[]) {
    const value = patch[name];
    // undefined means "leave as is", so a caller can spread optional CLI flags straight in.
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[name] = value;
  }
  // A rate limit of 0 or less would refuse everything forever; treat it as "no limit".
  if (merged.rateLimit !== null && !(merged.rateLimit > 0)) merged.rateLimit = null;
  if (patch.staff !== undefined) merged.staff = normalizeStaff(patch.staff);
  if (patch.credentials !== undefined) merged.credentials = normalizeCredentials(patch.credentials);
  checkOptions(merged);
  return copyOptions(merged);
}

/** A deep copy, so callers can neither see nor change the server's own lists. */
export function copyOptions(options: NormalizedSandboxOptions): NormalizedSandboxOptions {
  const faults: Record<string, FaultKind[]> = {};
  for (const [key, kinds] of Object.entries(options.faults)) faults[key] = [...kinds];
  const staff = options.staff.map((member) => ({ ...member }));
  const credentials = options.credentials.map((credential) => ({ ...credential }));
  return { ...options, channels: [...options.channels], faults, faultRates: { ...options.faultRates }, staff, credentials };
}

// Staff given as options are checked like a message user, so the sandbox never lists a member that
// no request could name; an account has one member per address, so the first entry for an e-mail wins.
function normalizeStaff(specs: readonly unknown[]): HeldUser[] {
  if (!Array.isArray(specs)) throw new RangeError('sandbox staff must be a list of {name?, email}');
  const staff: HeldUser[] = [];
  for (const spec of specs) {
    const { email, name } = (spec ?? {}) as { email?: unknown; name?: unknown };
    if (typeof email !== 'string' || !EMAIL_PATTERN.test(email.trim())) {
      throw new RangeError(`sandbox staff e-mail must be an e-mail address, got ${JSON.stringify(email)}`);
    }
    const address = email.trim();
    if (staff.some((member) => member.email.toLowerCase() === address.toLowerCase())) continue;
    staff.push({ name: typeof name === 'string' && name.trim() !== '' ? name : localPart(address), email: address });
  }
  return staff;
}

// A login is checked as a staff member is; a per-token limit of 0 or less lifts that token's limit.
function normalizeCredentials(specs: readonly unknown[]): SandboxCredential[] {
  if (!Array.isArray(specs)) throw new RangeError('sandbox credentials must be a list of {email, token, rateLimit?}');
  return specs.map((spec) => {
    const { email, token, rateLimit } = (spec ?? {}) as { email?: unknown; token?: unknown; rateLimit?: unknown };
    if (typeof email !== 'string' || !EMAIL_PATTERN.test(email.trim())) throw new RangeError(`sandbox credential e-mail must be an e-mail address, got ${JSON.stringify(email)}`);
    if (typeof token !== 'string' || token === '') throw new RangeError(`sandbox credential of ${email} needs a token`);
    if (rateLimit !== undefined && rateLimit !== null && typeof rateLimit !== 'number') throw new RangeError(`sandbox credential rateLimit must be a number or null, got ${JSON.stringify(rateLimit)}`);
    const limit = typeof rateLimit === 'number' ? (rateLimit > 0 ? rateLimit : null) : rateLimit;
    return { email: email.trim(), token, ...(limit === undefined ? {} : { rateLimit: limit }) };
  });
}

function checkOptions(options: NormalizedSandboxOptions): void {
  if (!(options.latencyMs >= 0)) throw new RangeError(`sandbox latencyMs must be 0 or more, got ${options.latencyMs}`);
  if (!(options.hangMs >= 0)) throw new RangeError(`sandbox hangMs must be 0 or more, got ${options.hangMs}`);
  if (!(options.dripMs >= 0)) throw new RangeError(`sandbox dripMs must be 0 or more, got ${options.dripMs}`);
  if (![false, true, 'seconds', 'date'].includes(options.retryAfter)) throw new RangeError(`sandbox retryAfter must be true, false, 'seconds' or 'date', got ${String(options.retryAfter)}`);
  if (options.createdStatus !== 200 && options.createdStatus !== 201) {
    throw new RangeError(`sandbox createdStatus must be 200 or 201, got ${String(options.createdStatus)}`);
  }
  if (!['echo', 'null', 'omit'].includes(options.listedOriginIds)) throw new RangeError(`sandbox listedOriginIds must be 'echo', 'null' or 'omit', got ${String(options.listedOriginIds)}`);
  if (!['as-sent', 'html', 'omit'].includes(options.listedBodies)) throw new RangeError(`sandbox listedBodies must be 'as-sent', 'html' or 'omit', got ${String(options.listedBodies)}`);
  if (typeof options.listsOpener !== 'boolean') throw new RangeError(`sandbox listsOpener must be true or false, got ${String(options.listsOpener)}`);
  if (typeof options.staffListing !== 'boolean') throw new RangeError(`sandbox staffListing must be true or false, got ${String(options.staffListing)}`);
  for (const kinds of Object.values(options.faults)) {
    for (const kind of kinds) checkKind(kind);
  }
  for (const [kind, rate] of Object.entries(options.faultRates)) {
    checkKind(kind);
    if (!(typeof rate === 'number' && rate >= 0 && rate <= 1)) {
      throw new RangeError(`sandbox faultRates.${kind} must be between 0 and 1, got ${String(rate)}`);
    }
  }
}

function checkKind(kind: string): void {
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new RangeError(`unknown sandbox fault "${kind}": expected one of ${FAULT_KINDS.join(', ')}`);
  }
}
