import { InFlight } from './in-flight.js';
import type { ImportError } from '../errors.js';
import type { ApiFacts } from '../ledger/ledger.js';
import type { SqliteLedger } from '../ledger/sqlite-ledger.js';
import type { DoneConversation, SqliteVerify, StoredMismatch, VerifyOutcome } from '../ledger/sqlite-verify.js';
import type { CompiledMapping, MappedMessage } from '../mapping/types.js';
import type { ReamazeClient } from '../reamaze/client.js';
import { DEFAULT_RETRY_POLICY } from '../reamaze/retry-policy.js';
import type { Throttle } from '../reamaze/throttle.js';
import type { SendContext } from './attempt.js';
import { checkRow } from './check-row.js';
import { openSources } from './open-sources.js';
import { watchReachability } from './run-guards.js';
import { compareConversation, type ExpectedConversation, type Mismatch } from './verify-compare.js';
import { readConversation } from './verify-read.js';
import { sentText } from './message-evidence.js';

/** What `verify` needs; the CLI opens the ledger and builds the client and throttle. */
export interface VerifyOptions {
  files: readonly string[];
  mapping: CompiledMapping;
  messages: readonly string[];
  lookups: Readonly<Record<string, string>>;
  ledger: SqliteLedger;
  store: SqliteVerify;
  client: ReamazeClient;
  throttle: Throttle;
  /** The verification the results go to. */
  verification: number;
  /** The done conversations still to check (the sample, or all), by key. */
  targets: readonly DoneConversation[];
  /** Tags every conversation got from the run's --tag. */
  runTags: readonly string[];
  /** Make a conversation found missing (and held under no other slug) `pending` again. */
  repair: boolean;
  /** Conversations checked at once, at most. Default 64. */
  window?: number;
  signal?: AbortSignal;
  onWarning?: (text: string) => void;
  /** Told after each conversation is recorded. */
  onChecked?: (outcome: VerifyOutcome) => void;
}

/** How a verification pass ended. */
export interface VerifyPass {
  /** A signal stopped it: what was recorded is kept, the rest is checked on resume. */
  stopped: boolean;
  /** Bad credentials, an unknown brand, an unreachable API: stopped, resumable. */
  aborted: ImportError | undefined;
  /** Conversations made `pending` by --repair. */
  repaired: number;
  /** Done conversations whose row is not a valid row of the export any more: checked for presence only. */
  notInExport: number;
  /** Conversations whose lookup by key could not tell whether another holds the key (an unfiltered listing): duplicates unchecked. */
  duplicatesUnchecked: number;
}

/**
 * Reads the export with the mapping (the ledger keeps no payload of a done row), and reads back
 * each target conversation as its row comes by, comparing it with the mapped payload and what the
 * ledger has done; targets the export no longer holds are checked for presence and duplicates.
 */
export async function verifyConversations(options: VerifyOptions): Promise<VerifyPass> {
  const context: SendContext = {
    ledger: options.ledger, client: options.client, throttle: options.throttle, retry: DEFAULT_RETRY_POLICY,
    keyField: options.mapping.keyField, abort: { error: undefined },
  };
  context.onOutcome = watchReachability(context.abort);
  const onAbort = () => (context.abort.stopped = true);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const waiting = new Map(options.targets.map((target) => [target.key, target]));
  const pass: VerifyPass = { stopped: false, aborted: undefined, repaired: 0, notInExport: 0, duplicatesUnchecked: 0 };
  const window = new InFlight(() => options.window ?? 64);
  const inFlight = window.tasks;
  // What the API's listings show, as the ledger learned it: read once, not per conversation.
  const facts = options.ledger.apiFacts();
  const start = async (target: DoneConversation, expected: ExpectedConversation | undefined) => {
    waiting.delete(target.key);
    await window.add(checkConversation(target, expected, options, context, pass, facts));
  };
  const stopping = () => context.abort.stopped === true || context.abort.error !== undefined;
  try {
    if (waiting.size > 0) await readExport(options, waiting, start, stopping);
    for (const target of [...waiting.values()]) {
      if (stopping()) break;
      pass.notInExport += 1;
      await start(target, undefined);
    }
    await Promise.all(inFlight);
    window.check();
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  pass.stopped = options.signal?.aborted ?? false;
  pass.aborted = context.abort.error;
  return pass;
}

/** Reads every record; a valid one whose key is a target is checked against its mapped payload. */
async function readExport(
  options: VerifyOptions,
  waiting: ReadonlyMap<string, DoneConversation>,
  start: (target: DoneConversation, expected: ExpectedConversation) => Promise<void>,
  stopping: () => boolean,
): Promise<void> {
  const opened = await openSources(options.files, options.mapping, { messages: options.messages, lookups: options.lookups });
  opened.warnings.forEach((warning) => options.onWarning?.(warning));
  try {
    for (const [fileIndex, source] of opened.sources.entries()) {
      for await (const record of source.records()) {
        if (stopping()) return;
        const verdict = checkRow(record, options.mapping, undefined, options.files, fileIndex, opened.threadOf(record));
        if (verdict.state !== 'valid') continue;
        const target = waiting.get(verdict.key);
        if (target) await start(target, expectedOf(verdict, target, options));
      }
    }
  } finally {
    await opened.close();
  }
}

/** What a conversation should hold: the mapped payload, and of its thread what the ledger has done. */
function expectedOf(
  verdict: { key: string; body: Record<string, unknown>; messages: MappedMessage[]; opener?: MappedMessage | undefined; assignee?: string | undefined },
  target: DoneConversation,
  options: VerifyOptions,
): ExpectedConversation {
  const conversation = (verdict.body.conversation ?? {}) as { status?: unknown; tag_list?: unknown; data?: unknown; message?: { body?: unknown } };
  const entry = options.ledger.lookup(verdict.key);
  const done = new Set(options.ledger.threadMessages(verdict.key).filter((message) => message.state === 'done').map((message) => message.originId));
  const thread = verdict.opener ? [verdict.opener, ...verdict.messages] : verdict.messages;
  const added = thread.filter((message) => message.originId !== entry?.opener && done.has(message.originId));
  const tags = Array.isArray(conversation.tag_list) || options.runTags.length > 0
    ? [...new Set([...(Array.isArray(conversation.tag_list) ? conversation.tag_list.map(String) : []), ...options.runTags])]
    : undefined;
  return {
    status: typeof conversation.status === 'number' ? conversation.status : undefined,
    tags,
    assignee: verdict.assignee,
    data: (conversation.data ?? {}) as Record<string, unknown>,
    openerBody: typeof conversation.message?.body === 'string' ? conversation.message.body : undefined,
    messages: added.map((message) => ({ originId: message.originId, body: sentText(message) })),
    final: !target.threadOpen,
  };
}


/** Reads one conversation back, compares, records the outcome (and, with --repair, makes a missing one pending). */
async function checkConversation(target: DoneConversation, expected: ExpectedConversation | undefined, options: VerifyOptions, context: SendContext, pass: VerifyPass, facts: ApiFacts): Promise<void> {
  // The ledger knows the opening message too: a thread is more than that one.
  const listing = expected !== undefined && (expected.messages.length > 0 || options.ledger.threadMessages(target.key).length > 1);
  const read = await readConversation(target.key, target.slug, listing, context);
  if (read.end === 'stopped') return;
  let found: Mismatch[] = [];
  let outcome: VerifyOutcome = 'match';
  if (read.end === 'unreadable') outcome = 'unreadable';
  else if (read.end === 'missing') {
    const others = read.keyHolders;
    const where = others === undefined ? 'a lookup by its key could not tell whether another conversation holds it'
      : others.length === 0 ? 'no conversation holds its key' : `its key is held by ${others.join(', ')}`;
    found = [{ kind: 'missing', detail: `GET /conversations/${target.slug} answered 404; ${where}` }];
    // Only when nothing holds the key: otherwise the next run would create it a second time.
    if (options.repair && others?.length === 0 && options.store.markMissingPending(target.key, 'verify found it missing in Re:amaze (--repair)')) pass.repaired += 1;
  } else {
    found = expected ? compareConversation(expected, { conversation: read.conversation, listing: read.listing }, facts) : [];
    if (read.keyHolders === undefined) pass.duplicatesUnchecked += 1;
    if (read.keyHolders && read.keyHolders.length > 1) found.push({ kind: 'duplicate', detail: `${read.keyHolders.length} conversations hold key ${target.key}: ${read.keyHolders.join(', ')}` });
  }
  if (found.length > 0) outcome = 'mismatch';
  const stored: StoredMismatch[] = found.map((m) => ({ key: target.key, slug: target.slug, file: target.file, line: target.line, ...m }));
  options.store.record(options.verification, target.key, outcome, stored);
  options.onChecked?.(outcome);
}
