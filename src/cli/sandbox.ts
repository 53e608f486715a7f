import { ImportError } from '../errors.js';
import { FAULT_KINDS, formatSandboxBanner, startSandbox, type FaultKind, type SandboxOptions } from '../sandbox/index.js';
import { readCredentialsFile } from './credentials.js';
import { ExitCode } from './exit-codes.js';
import { outputPath } from './load.js';
import type { CliIO } from './io.js';
import { Renderer } from './render.js';

/** `sandbox [--port] [--rate-limit] [--retry-after] [--latency] [--fault kind=p]… [--message-faults]`: serves until Ctrl-C. */
export async function runSandbox(args: Record<string, unknown>, io: CliIO): Promise<number> {
  const renderer = new Renderer(io);
  const server = await startSandbox(sandboxOptions(args, io.cwd));
  renderer.result(formatSandboxBanner(server));
  renderer.note('Press Ctrl-C to stop. What it holds: GET /__sandbox/conversations; counters: GET /__sandbox/stats.');
  await new Promise<void>((resolve) => {
    const unsubscribe = io.onSignal?.(() => {
      unsubscribe?.();
      resolve();
    });
    if (!io.onSignal) resolve();
  });
  await server.close();
  return ExitCode.OK;
}

/** The sandbox options of the command line. */
export function sandboxOptions(args: Record<string, unknown>, cwd = process.cwd()): SandboxOptions {
  const options: SandboxOptions = {};
  if (typeof args.port === 'number') options.port = args.port;
  if (typeof args['rate-limit'] === 'number') options.rateLimit = args['rate-limit'];
  if (args['retry-after'] === true) options.retryAfter = true;
  if (args['retry-after-date'] === true) options.retryAfter = 'date';
  if (args['ignore-data-filter'] === true) options.ignoreDataFilter = true;
  if (typeof args['redirect-to'] === 'string') options.redirectTo = args['redirect-to'];
  if (typeof args['drip-ms'] === 'number') options.dripMs = args['drip-ms'];
  if (args['listed-origin-ids'] === 'null' || args['listed-origin-ids'] === 'omit') options.listedOriginIds = args['listed-origin-ids'];
  if (args['listed-bodies'] === 'html' || args['listed-bodies'] === 'omit') options.listedBodies = args['listed-bodies'];
  if (args['lists-opener'] === false) options.listsOpener = false;
  if (typeof args.latency === 'number') options.latencyMs = args.latency;
  if (typeof args.token === 'string') options.token = args.token;
  if (Array.isArray(args.channel)) options.channels = args.channel.map(String);
  const faults = Array.isArray(args.fault) ? args.fault.map(String) : [];
  if (faults.length > 0) options.faultRates = Object.fromEntries(faults.map(parseFault));
  if (args['message-faults'] === true) options.messageFaults = true;
  if (args.staff !== undefined) options.staff = staffOption(args.staff);
  if (typeof args.credentials === 'string') options.credentials = readCredentialsFile(outputPath(args.credentials, cwd));
  return options;
}

/** `--staff a@x.com,b@y.com` (repeatable): staff members besides the token's own user. */
function staffOption(value: unknown): { email: string }[] {
  const emails = [value].flat().flatMap((item) => String(item).split(',')).map((email) => email.trim()).filter((email) => email !== '');
  const bad = emails.find((email) => !/^[^\s@]+@[^\s@]+$/.test(email));
  if (bad !== undefined) throw new ImportError('USAGE', `--staff ${bad} is not an e-mail: give staff e-mails separated by commas.`);
  return emails.map((email) => ({ email }));
}

function parseFault(text: string): [FaultKind, number] {
  const [kind, rate] = text.split('=');
  const probability = Number(rate);
  if (!FAULT_KINDS.includes(kind as FaultKind) || !(probability >= 0 && probability <= 1)) {
    throw new ImportError('USAGE', `--fault ${text} is not a fault: write kind=probability, e.g. 500-after=0.05; kinds: ${FAULT_KINDS.join(', ')}.`);
  }
  return [kind as FaultKind, probability];
}
