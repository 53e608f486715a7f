import { existsSync } from 'node:fs';
import { ImportError } from '../errors.js';
import { SqliteLedger } from '../ledger/sqlite-ledger.js';
import { ExitCode } from './exit-codes.js';
import type { CliIO } from './io.js';
import { outputPath } from './load.js';
import { Renderer } from './render.js';

/**
 * `resolve --ledger L --key K [--message ORIGIN_ID] --as done|absent [--slug S]`: settles a ticket
 * or a message left `uncertain` after someone checked Re:amaze by hand. `done` is never sent
 * again; `absent` is sent by the next run. Recorded in the ledger with the time.
 */
export async function runResolve(args: Record<string, unknown>, io: CliIO): Promise<number> {
  const renderer = new Renderer(io);
  const path = outputPath(String(args.ledger), io.cwd);
  if (!existsSync(path)) throw new ImportError('USAGE', `There is no ledger at ${String(args.ledger)}: give the --ledger of the import to settle.`);
  const key = String(args.key);
  const originId = typeof args.message === 'string' ? args.message : undefined;
  const as = args.as === 'done' ? 'done' : 'absent';
  const slug = typeof args.slug === 'string' && args.slug !== '' ? args.slug : undefined;
  if (as === 'done' && originId === undefined && slug === undefined) {
    throw new ImportError('USAGE', `--as done needs --slug: the conversation of ticket ${key} you found in Re:amaze, so that its thread can be completed.`);
  }
  const what = originId === undefined ? `ticket ${key}` : `message ${originId} of ticket ${key}`;
  const note = `resolved by hand at ${new Date().toISOString()}: ${as === 'done' ? `in Re:amaze${slug ? ` (conversation ${slug})` : ''}` : 'not in Re:amaze'}`;
  const ledger = SqliteLedger.open(path);
  let had: string | undefined;
  try {
    had = ledger.resolve({ key, originId }, as, note, slug);
  } finally {
    ledger.close();
  }
  if (had === undefined) throw new ImportError('USAGE', `The ledger ${String(args.ledger)} holds no ${what}: check the key${originId === undefined ? '' : ' and the message\'s origin_id'} (status lists what is uncertain).`);
  if (had !== 'uncertain' && had !== 'sending') {
    throw new ImportError('USAGE', `${what} is ${had}, not uncertain: only what the importer could not settle is resolved by hand.`);
  }
  renderer.result(as === 'done'
    ? `Recorded ${what} as done${slug ? ` (conversation ${slug})` : ''}: it is never sent again.`
    : `Recorded ${what} as not in Re:amaze: the next run sends it.`);
  return ExitCode.OK;
}
