import { InFlight } from './in-flight.js';
import { KeyIndex } from '../stage/key-index.js';
import { ListingKnowledge } from './listing-knowledge.js';
import type { ImportError } from '../errors.js';
import type { Ledger } from '../ledger/ledger.js';
import { mappingChanges } from '../mapping/diff.js';
import type { CompiledMapping } from '../mapping/types.js';
import type { ReamazeClient } from '../reamaze/client.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../reamaze/retry-policy.js';
import type { Throttle } from '../reamaze/throttle.js';
import type { Outcome } from '../reamaze/retry-policy.js';
import type { SendContext } from './attempt.js';
import { classify, earlierTickets, type ClassifyContext } from './classify.js';
import { emptyCounts, type ImportCounts } from './import-counts.js';
import { openSources, type OpenedSources } from './open-sources.js';
import { stoppedState } from './fate.js';
import { holdFirstTickets, preflightTokens, refuseImportedKeys, type FirstTickets } from './preflight.js';
import { onAnyToken, TokenPool } from './token-pool.js';
import { readAuthors, type AuthorOptions } from './staff.js';
import { RequestMinutes } from './request-minutes.js';
import { PROGRESS_EVERY_ROWS, type ProgressListener } from './progress.js';
import { countAll, sendingProgress, type SendingTally } from './send-progress.js';
import { SendPace } from './send-pace.js';
import { errorBudget, refuseKeyChange, settleInFlight, watchReachability } from './run-guards.js';
import { sendTicket, type OutgoingTicket, type TicketRun } from './send-ticket.js';
import { countDelivered, countWaiting } from './tally.js';

/** What `run` needs; the CLI builds the ledger, client and throttle. */
export interface ImportOptions {
  files: readonly string[];
  mapping: CompiledMapping;
  ledger: Ledger;
  /** The API token's client, and its throttle; with `tokens`, those of the first token. */
  client: ReamazeClient;
  throttle: Throttle;
  /** Several staff members' tokens, each with its own client and throttle; tickets are spread over them. Default: `client` and `throttle` alone. */
  tokens?: TokenPool;
  /** Recorded with the run (never a secret). */
  args: Record<string, unknown>;
  retry?: RetryPolicy;
  /** Messages files of a relational export (`messages.join`). */
  messages?: readonly string[];
  /** The file of each lookup the mapping declares (`--lookup name=file`). */
  lookups?: Readonly<Record<string, string>>;
  /** Stop after this many rows were sent (a sample migration). Default: all. */
  limit?: number;
  /** Tags added to every conversation created (to find a sample again). Default: none. */
  tags?: readonly string[];
  /** Stop (resumable) after this many rows of this run were rejected, failed or invalid. */
  maxErrors?: number;
  /** Stop (resumable) when this share of this run's rows so far failed (after 50 rows). */
  maxErrorRate?: number;
  /** Rows read ahead of the requests finishing, at most. Default 64 for each token. */
  window?: number;
  /** Count the files' records on a thread of their own once sending begins, for the progress line's total. Default false. */
  estimateTotal?: boolean;
  /** Aborted: stop reading, let requests in flight finish (bounded), record, return. */
  signal?: AbortSignal;
  /** After a signal, how long requests in flight may take to finish. Default 10 s. */
  graceMs?: number;
  onProgress?: ProgressListener;
  onWarning?: (text: string) => void;
  /** The staff e-mail thread messages without an author of their own are sent as (`--unattributed-as`). Default: the sending token's member, as the API does. */
  unattributedAs?: string;
  /** How authors are matched to staff (the staff list is read when the mapping names authors). */
  authors?: AuthorOptions;
  /**
   * Look every ticket up by its key before creating it, recording the ones Re:amaze holds as done
   * with their slugs (rebuilding a lost ledger). Default false: a ledger that never sent anything
   * checks the keys of its first tickets instead, and refuses the run when Re:amaze holds any.
   */
  adoptExisting?: boolean;
}

/** After the grace, how long the tickets whose answers were given up may take to record that. */
const RECORD_AFTER_ABORT_MS = 2000;

/** The result of `run`. */
export interface ImportSummary extends ImportCounts {
  /** Set when the run stopped early (bad credentials, unknown brand…): resumable. */
  aborted: ImportError | undefined;
  /** True when a signal stopped the run: resumable. */
  interrupted: boolean;
  /** The request rate the run ended with, stored for the next run. */
  rate: number;
  /** The API's limit as the run learned it from 429s (or kept from an earlier run): the next run starts just under it. */
  limit: number | undefined;
  /** Relational exports: message records that cannot be read, and messages of no ticket of the files (known once every ticket was read). */
  messageFiles: { unreadable: number; orphans: number | null } | undefined;
  /** Each token's pace at the end (by staff e-mail), and whether the API refused it; empty when tokens are not known by e-mail. */
  tokens: ReturnType<TokenPool['paces']>;
}

/** Imports every valid row not yet done; the same call again resumes. */
export async function importFiles(options: ImportOptions): Promise<ImportSummary> {
  const opened = await openSources(options.files, options.mapping, { messages: options.messages ?? [], lookups: options.lookups ?? {} });
  opened.warnings.forEach((warning) => options.onWarning?.(warning));
  const counts = emptyCounts();
  const minutes = new RequestMinutes(options.ledger);
  const pace = new SendPace();
  const pool = options.tokens ?? new TokenPool([{ email: undefined, client: options.client, throttle: options.throttle }]);
  const context = sendContext(options, pool, (outcome) => {
    minutes.note(outcome);
    pace.noteAnswer();
  });
  const note = errorBudget(options, context.abort);
  const warn = (text: string) => options.onWarning?.(text);
  let runId: number;
  try {
    runId = beginRun(options);
  } catch (error) {
    // The files are open already: a refused run (a changed key) closes them, not the garbage collector.
    await opened.close();
    throw error;
  }
  const rows: ClassifyContext = { ledger: options.ledger, mapping: options.mapping, files: options.files, runId, counts, tags: options.tags, note, warn, keys: new KeyIndex() };
  const tickets: TicketRun = { context, tokens: pool, counts, note, warn, rowsInFlight: new Set() };
  const sending: SendingTally = { started: 0, finished: 0, allRead: false, startedAt: Date.now() };
  const counting = new AbortController();
  // Once something is to be sent, the files' records are counted on a thread of their own: the
  // total the progress line sends against, while the rows are still being read.
  sending.onFirst = () => {
    if (options.estimateTotal !== true) return;
    void countAll(options.files, options.mapping, counting.signal).then((records) => (sending.records = records));
  };
  const report = () => {
    const bytesRead = opened.sources.reduce((sum, source) => sum + source.bytesRead(), 0);
    options.onProgress?.({
      bytesRead, totalBytes: opened.totalBytes, rows: counts.rows, counts: progressCounts(counts, runRate(pool)),
      sending: sendingProgress(sending, { bytesRead, totalBytes: opened.totalBytes }, counts, pace, (pool.active()[0] ?? pool.tokens[0]!).throttle),
    });
  };
  let messageFiles: ImportSummary['messageFiles'];
  try {
    await preflightTokens(pool, context);
    if (options.mapping.namesAuthors && options.authors && !context.abort.error && !context.abort.stopped) {
      const authors = options.authors;
      rows.authors = await onAnyToken(pool, context, (bound) => readAuthors(authors, bound, warn));
    }
    const readAll = await readAndSend(opened, options, rows, tickets, report, sending, pace);
    // Still in flight when the grace ran out: counted as the ledger keeps them — `sending` (looked
    // up by the next run) once committed, else still `pending`.
    for (const row of tickets.rowsInFlight) countDelivered(counts, stoppedState(row.marked || ['sending', 'uncertain'].includes(row.previous?.state ?? '')));
    tickets.closed = true;
    report();
    if (opened.stage) messageFiles = { unreadable: opened.stage.problemCount, orphans: readAll ? warnOrphans(opened, options) : null };
  } finally {
    counting.abort();
    rows.keys?.close();
    minutes.flush();
    options.ledger.flush();
    await opened.close();
  }
  const only = pool.tokens.length === 1 ? pool.tokens[0] : undefined;
  return {
    ...counts, aborted: context.abort.error, interrupted: options.signal?.aborted ?? false, rate: runRate(pool),
    limit: only ? only.throttle.learnedLimit : lowest(pool.active().map((token) => token.throttle.learnedLimit)), messageFiles, tokens: pool.paces(),
  };
}

/** The run's request rate: its one token's (as it ends, refused or not), else every active token's added up. */
function runRate(pool: TokenPool): number {
  return pool.tokens.length === 1 ? pool.tokens[0]!.throttle.rate : pool.rate;
}

function lowest(values: (number | undefined)[]): number | undefined {
  const known = values.filter((value): value is number => value !== undefined);
  return known.length === 0 ? undefined : Math.min(...known);
}

/** What requests need, with the run's stop flags wired to the signal and the reachability watch. */
function sendContext(options: ImportOptions, pool: TokenPool, onAnswer: (outcome: Outcome) => void): SendContext {
  const context: SendContext = {
    ledger: options.ledger, client: options.client, throttle: options.throttle,
    retry: options.retry ?? DEFAULT_RETRY_POLICY, keyField: options.mapping.keyField, abort: { error: undefined },
    listings: new ListingKnowledge(options.ledger), unattributedAs: options.unattributedAs,
  };
  const watch = watchReachability(context.abort);
  context.onOutcome = (outcome) => {
    watch(outcome);
    onAnswer(outcome);
  };
  // A signal stops reading and, through this flag and the throttle, every request still waiting for its turn.
  options.signal?.addEventListener('abort', () => {
    context.abort.stopped = true;
    for (const token of pool.tokens) void token.throttle.stop();
  }, { once: true });
  return context;
}

/** Records the start of the run (refusing a changed key first), warning of a changed mapping. */
function beginRun(options: ImportOptions): number {
  // Checked before the run is recorded, so a refused run never becomes "the last run".
  refuseKeyChange(options.ledger.lastMapping(), options.mapping.canonical);
  const run = options.ledger.startRun({ args: { ...options.args, mapping_spec: options.mapping.canonical }, mappingHash: options.mapping.hash });
  if (run.previousMappingHash && run.previousMappingHash !== options.mapping.hash) {
    const changes = run.previousMapping ? mappingChanges(run.previousMapping, options.mapping.canonical) : [];
    options.onWarning?.(
      `The mapping changed since the last run of this ledger${changes.length > 0 ? `:\n  ${changes.join('\n  ')}\n` : '. '}` +
        'Rows already done are not sent again (a changed body is counted as changed); rejected and invalid rows whose body changed are tried again.',
    );
  }
  return run.id;
}

/**
 * Reads every record, decides on it, and sends what is to be sent within a window of tickets in
 * flight (backpressure); then the earlier tickets that tonight's messages files add to. Waits for
 * what is in flight. True when everything was read (no stop, no --limit).
 */
async function readAndSend(opened: OpenedSources, options: ImportOptions, rows: ClassifyContext, tickets: TicketRun, report: () => void, sending: SendingTally, pace: SendPace): Promise<boolean> {
  // Each token sends its own tickets: the window grows with them.
  const window = new InFlight(() => options.window ?? 64 * (tickets.tokens?.tokens.length ?? 1));
  const inFlight = window.tasks;
  const stopped = () => Boolean(options.signal?.aborted || tickets.context.abort.error);
  // Progress after every ticket: at API speed they finish seconds apart, not thousands a second.
  const begin = async (outgoing: OutgoingTicket) => {
    sending.started += 1;
    if (sending.started === 1) sending.onFirst?.();
    const task = sendTicket(outgoing, tickets).then(() => {
      sending.finished += 1;
      pace.noteTicket();
      report();
    });
    await window.add(task);
  };
  const first = firstTickets(options, tickets.context, tickets.tokens);
  const start = async (given: OutgoingTicket) => {
    const outgoing = options.adoptExisting ? adopting(given) : given;
    // Counted as in flight while held: a run stopped then leaves them `pending`.
    if (outgoing.row) tickets.rowsInFlight.add(outgoing.row);
    for (const admitted of first ? await first.admit(outgoing) : [outgoing]) await begin(admitted);
  };
  let readAll = await readFiles(opened, { options, rows, start, report, stopped });
  if (first && !stopped()) for (const held of await first.release()) await begin(held);
  readAll &&= !stopped();
  // Every ticket of the files is known now (the earlier ones below are few, and counted as they start).
  sending.allRead = true;
  if (readAll && opened.stage) {
    for (const outgoing of earlierTickets(opened.stage, rows)) {
      if (stopped()) {
        // Handed out but not started: its messages wait for the next run.
        countWaiting(rows.counts, outgoing.thread?.messages.length ?? 0);
        readAll = false;
        break;
      }
      await start(outgoing);
    }
  }
  if (!(await settleInFlight(inFlight, options.signal, options.graceMs ?? 10_000))) {
    // The grace ran out: the answers still awaited are given up (each request sent is then
    // `uncertain`, looked up by the next run), and the tickets record that before the summary.
    for (const token of tickets.tokens?.tokens ?? []) token.client.abortInFlight();
    if (!tickets.tokens) options.client.abortInFlight();
    await settleInFlight(inFlight, options.signal, RECORD_AFTER_ABORT_MS);
  }
  window.check();
  return readAll;
}

/**
 * A ledger that never sent anything holds its first tickets until their keys were looked up
 * (nothing is sent if Re:amaze holds any); undefined for one that sent before, or with --adopt-existing.
 */
function firstTickets(options: ImportOptions, context: SendContext, pool?: TokenPool): FirstTickets<OutgoingTicket> | undefined {
  if (options.adoptExisting || options.ledger.hasSent()) return undefined;
  return holdFirstTickets((keys) => (pool ? onAnyToken(pool, context, (bound) => refuseImportedKeys(keys, bound, options.ledger.path)) : refuseImportedKeys(keys, context, options.ledger.path)));
}

/**
 * --adopt-existing: a conversation about to be created is looked up by its key first, as one a
 * crash left `sending` is (found: done with its slug; absent: created), and so is each message of
 * its thread the ledger does not know, by its origin_id in the conversation.
 */
function adopting(ticket: OutgoingTicket): OutgoingTicket {
  const { row, thread } = ticket;
  return {
    ...ticket,
    ...(row ? { row: { ...row, lookUpFirst: true } } : {}),
    ...(thread ? { thread: { ...thread, adopted: true } } : {}),
  };
}

/** What reading the files needs. */
interface Reading {
  options: ImportOptions;
  rows: ClassifyContext;
  start: (outgoing: OutgoingTicket) => Promise<void>;
  report: () => void;
  stopped: () => boolean;
}

/** Reads the files, record by record, deciding on each and starting what is to be sent; false when it stopped early. */
async function readFiles(opened: OpenedSources, reading: Reading): Promise<boolean> {
  const { options, rows, start, report, stopped } = reading;
  let sent = 0;
  const limited = () => options.limit !== undefined && sent >= options.limit;
  for (const [fileIndex, source] of opened.sources.entries()) {
    for await (const record of source.records()) {
      if (stopped() || limited()) return false;
      const outgoing = classify(record, fileIndex, rows, opened.threadOf(record));
      if (outgoing?.row) sent += 1;
      if (outgoing) await start(outgoing);
      if (rows.counts.rows % PROGRESS_EVERY_ROWS === 0) report();
    }
  }
  return !limited();
}

/** After every ticket was read: messages of the messages files whose ticket none of the files has, nor the ledger. */
function warnOrphans(opened: OpenedSources, options: ImportOptions): number {
  const orphans = opened.stage?.orphans(options.messages ?? []);
  if (!orphans || orphans.count === 0) return 0;
  options.onWarning?.(`${orphans.count} messages belong to no ticket of these files nor of earlier runs, and were not imported (first: ${orphans.example ?? '?'}).`);
  return orphans.count;
}

function progressCounts(counts: ImportCounts, rate: number): Record<string, number> {
  const { done, skipped, rejected, failed, invalid } = counts;
  const messages = counts.messages.done;
  return { done, skipped, rejected, failed, invalid, ...(messages > 0 ? { messages } : {}), 'req/s': Math.round(rate * 10) / 10 };
}
