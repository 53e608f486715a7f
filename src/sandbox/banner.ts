import { quoteArg } from '../shell.js';
import type { FaultKind, Sandbox, SandboxCredential } from './types.js';

/** A few lines for the CLI to print: where the sandbox listens, how to point the importer at it, what is in force. */
export function formatSandboxBanner(sandbox: Sandbox): string {
  const options = sandbox.options();
  const origin = new URL(sandbox.url).origin;
  const rate = options.rateLimit === null ? 'none' : `${options.rateLimit}/s per token`;
  const retryAfter = options.rateLimit === null ? '' : options.retryAfter ? ' (with Retry-After)' : ' (no Retry-After)';
  return [
    `Re:amaze sandbox "${options.brand}" listening on ${sandbox.url}`,
    'Point reamaze-import at it: paste these lines into the terminal you run it in.',
    // The sandbox token is not a secret: printing it lets users paste the lines as they are.
    `export REAMAZE_BASE_URL=${quoteArg(sandbox.url)}`,
    `export REAMAZE_EMAIL=${quoteArg(options.email)}`,
    `export REAMAZE_API_TOKEN=${quoteArg(options.token)}`,
    `  channels: ${options.channels.join(', ')} · data key: ${options.keyField} · created status: ${options.createdStatus}`,
    `  rate limit: ${rate}${retryAfter} · latency: ${options.latencyMs} ms`,
    ...describeLogins(options.credentials),
    `  faults: ${describeFaults(options.faults, options.faultRates, options.seed)}`,
    ...describeStaff(options.staff.filter((member) => member.email.toLowerCase() !== options.email.toLowerCase()).length, options.staffListing),
    `  held conversations: ${origin}/__sandbox/conversations · stats: ${origin}/__sandbox/stats`,
  ].join('\n');
}

// Shown only when set: the logins besides the one above, each its own limit bucket (as several staff tokens are).
function describeLogins(logins: readonly SandboxCredential[]): string[] {
  if (logins.length === 0) return [];
  const own = logins.filter((login) => login.rateLimit !== undefined).map((login) => `${login.email} ${login.rateLimit === null ? 'no limit' : `${login.rateLimit}/s`}`);
  return [`  logins: the one above and ${logins.length} more (${logins.map((login) => login.email).join(', ')}), each with its own rate-limit bucket${own.length > 0 ? ` (${own.join(', ')})` : ''}; run with --credentials FILE, one "email token" a line`];
}

// Shown only when set: the default (the token's user alone, listed) needs no line.
function describeStaff(others: number, listed: boolean): string[] {
  if (others === 0 && listed) return [];
  const who = `the token's user and ${others} other${others === 1 ? '' : 's'}`;
  return [`  staff: ${who} · GET /staff: ${listed ? 'listed' : '404 (listing off)'}`];
}

function describeFaults(
  scripted: Record<string, FaultKind[]>,
  rates: Partial<Record<FaultKind, number>>,
  seed: number,
): string {
  const parts: string[] = [];
  const keys = Object.keys(scripted).filter((key) => (scripted[key] ?? []).length > 0);
  if (keys.length > 0) parts.push(`scripted for ${keys.length} key${keys.length === 1 ? '' : 's'}`);
  const random = Object.entries(rates).filter(([, rate]) => (rate ?? 0) > 0);
  if (random.length > 0) {
    const list = random.map(([kind, rate]) => `${kind} ${Math.round((rate ?? 0) * 1000) / 10}%`).join(', ');
    parts.push(`random ${list} (seed ${seed})`);
  }
  return parts.length > 0 ? parts.join('; ') : 'none';
}
