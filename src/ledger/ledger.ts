import type { ErrorCode } from '../errors.js';
import type { LossCounts } from '../mapping/losses.js';

/**
 * The states of a row in the ledger:
 * `pending → sending → done | rejected | failed | uncertain`, plus `invalid` (failed the local
 * checks, never sent). `sending` is committed before the request leaves, so a crash leaves the row
 * `sending` and the next run looks it up before sending it again.
 */
export type RowState = 'pending' | 'sending' | 'done' | 'rejected' | 'failed' | 'uncertain' | 'invalid';

/** The key a row without one is kept under: its place, `@file:line`, which no user could search for. */
export function placeKey(file: string, line: number): string {
  return `@${file}:${line}`;
}

/** Every state, in the order summaries list them. */
export const ROW_STATES: readonly RowState[] = ['done', 'rejected', 'failed', 'invalid', 'uncertain', 'sending', 'pending'];

/** What the ledger knows of a key. */
export interface LedgerEntry {
  key: string;
  state: RowState;
  attempts: number;
  payloadHash: string | null;
  slug: string | null;
  /** The run that last read this key from a file (to tell a duplicate within a run from a re-run). */
  seenRun: number;
  /** True while a created conversation still has messages or its final status update to come. */
  threadOpen: boolean;
  /** The origin_id of the thread message the conversation opened with (sent with its POST). */
  opener: string | null;
  /** The staff e-mail of the token whose request last sent it (null: none recorded, before schema 8). */
  sentBy?: string | null;
  /**
   * A hash of the source record as it was sent (with the mapping and its joined thread): a later
   * run that reads the same record under the same mapping skips it without mapping it again.
   * Null before schema 9, and for rows not sent.
   */
  sourceHash?: string | null;
}

/** A row at a glance, with how its thread stands: messages done (its opener left out, as a thread's count leaves it out) and not done. */
export interface RowGlance extends Pick<LedgerEntry, 'state' | 'seenRun' | 'threadOpen'> {
  sourceHash: string | null;
  thread: { skipped: number; notDone: number };
}

/**
 * The states of a message row: as a conversation's, without `invalid` (a ticket with a bad
 * message is invalid as a whole). A message gets its row when it is first sent.
 */
export type MessageState = Extract<RowState, 'pending' | 'sending' | 'done' | 'rejected' | 'failed' | 'uncertain'>;

/** What the ledger knows of one message of a thread. */
export interface MessageEntry {
  state: MessageState;
  payloadHash: string | null;
}

/** One message's new state. */
export interface MessageUpdate {
  /** The row key of its ticket. */
  ticket: string;
  originId: string;
  /** Its position in the thread. */
  seq: number;
  state: MessageState;
  payloadHash?: string | null;
  /** The request body (JSON), kept for messages not done. */
  payload?: string | null;
  httpStatus?: number | null;
  errorCode?: ErrorCode | null;
  error?: string | null;
  /** Requests made for it by this update (added to `attempts`). Default 0. */
  attempts?: number;
  /** The staff e-mail of the token sending it (recorded with `sending`; kept when absent). Never the token. */
  sentBy?: string | null;
}

/** One row's new state, as the pipeline records it. */
export interface RowUpdate {
  key: string;
  file: string;
  line: number;
  state: RowState;
  payloadHash?: string | null;
  /** The source record's hash (see `LedgerEntry.sourceHash`); kept when absent. */
  sourceHash?: string | null;
  /** The request body (JSON), kept for rows not done so `failures` can show it. */
  payload?: string | null;
  /** The source record's fields (JSON), kept for rows not done so the user can fix them. */
  fields?: string | null;
  /** An invalid row's problems (JSON list of `RowProblem`s); `error` holds them as one text. */
  problems?: string | null;
  httpStatus?: number | null;
  slug?: string | null;
  errorCode?: ErrorCode | null;
  error?: string | null;
  /** Requests made for this row by this update (added to `attempts`). Default 0. */
  attempts?: number;
  /** The origin_id of the thread message its POST opens the conversation with (kept when absent). */
  opener?: string | null;
  /**
   * The loss counts of the whole ticket, its thread included (JSON `LossCounts`): kept when absent,
   * cleared by null. Not customer data: a done row keeps them, so `status` can say what arrived altered.
   */
  losses?: string | null;
  /** The staff e-mail of the token sending it (recorded with `sending`; kept when absent). Never the token. */
  sentBy?: string | null;
}

/** What one token learned of its pace (requests per second), kept per token for the next run. */
export interface TokenPace {
  rate: number | undefined;
  limit: number | undefined;
}

/** A duplicate row: its key was already read in this run. */
export interface DuplicateRow {
  key: string;
  file: string;
  line: number;
  firstFile: string;
  firstLine: number;
}

/** The start of a run, as recorded (never a secret in `args`). */
export interface RunStart {
  args: Record<string, unknown>;
  mappingHash: string;
}

/** What the ledger tells a starting run. */
export interface RunInfo {
  id: number;
  /** The mapping hash of the previous run, when there was one. */
  previousMappingHash: string | undefined;
  /** The previous run's mapping (canonical JSON), to say what changed. */
  previousMapping: string | undefined;
  /** The request rate the previous run ended with (requests per second). */
  learnedRate: number | undefined;
}

/** The end of a run. */
export interface RunEnd {
  counts: Record<string, unknown>;
  learnedRate: number | undefined;
  /** The API's limit as the run learned it from 429s (or kept from an earlier run), requests per second. */
  learnedLimit?: number | undefined;
  exitCode: number;
}

/** The states `status` and `run` count: the ledger's, `sending` folded into `uncertain`, plus the last run's duplicates. */
export const STATUS_STATES = ['done', 'rejected', 'failed', 'invalid', 'uncertain', 'pending', 'duplicate'] as const;

/** One of `STATUS_STATES`. */
export type StatusState = (typeof STATUS_STATES)[number];

/** Thread messages per state (`sending` folded into `uncertain`) and the threads still open. */
export type LedgerMessageCounts = Record<'done' | 'rejected' | 'failed' | 'uncertain' | 'pending' | 'open_threads', number>;

/**
 * The stored loss counts summed: `done` over the rows in Re:amaze, `notDone` over the rows still to
 * import (pending, sending, failed, uncertain); invalid and rejected rows are left out (they need a fix first).
 */
export interface LedgerLossCounts {
  done: LossCounts;
  notDone: LossCounts;
}

/** The row states whose losses count as still to import: the next run sends them as they are. */
export const TO_IMPORT_STATES: readonly RowState[] = ['pending', 'sending', 'failed', 'uncertain'];

/** A row left `sending` was in flight when a run stopped: as unknown as `uncertain`, and looked up the same way. */
export function foldState(state: string): string {
  return state === 'sending' ? 'uncertain' : state;
}

/** What a run's requests came to in one minute. */
export interface RequestMinute {
  /** The minute's start, ISO 8601 UTC. */
  minute: string;
  /** Answers received, of any kind. */
  requests: number;
  /** Of them 429. */
  throttled: number;
  /** Of them without a usable answer: 5xx, timeouts, resets. */
  failures: number;
}

/** What this API's thread listings were seen to do (learned once, kept in the ledger); undefined until learned. */
export interface ApiFacts {
  /** A listed message carries the origin_id it was sent with. */
  echoesOriginIds?: boolean;
  /** The listing includes the message the conversation opened with. */
  listsOpener?: boolean;
  /** The listing shows bodies recognisably as sent (as text, markup aside). */
  showsBodies?: boolean;
}

/** The names of the facts, as the ledger keeps them. */
export const API_FACTS = ['echoesOriginIds', 'listsOpener', 'showsBodies'] as const satisfies readonly (keyof ApiFacts)[];

/** A write committed as `sending` before its request leaves: a conversation or a message. */
export type SendingWrite = { kind: 'row'; update: RowUpdate } | { kind: 'message'; update: MessageUpdate };

/**
 * What the pipeline may ask of a ledger. Its promises: a `sending` write is durable when
 * `markSendingSoon` resolves (the request leaves only then); other writes are queued and
 * committed in groups, in order, by `flush` at the latest; a read sees every write before it;
 * a `done` row or message keeps its key, state, slug, hashes and times only — never payload or
 * source fields.
 */
export interface Ledger {
  /** Where it lives (a file path; `:memory:` for the in-memory one). */
  readonly path: string;
  /** The rate the last run ended with (undefined on a new ledger). */
  learnedRate(): number | undefined;
  /** The API's limit the last run learned from 429s (undefined when none did). */
  learnedLimit(): number | undefined;
  /** The last run's mapping (canonical JSON), undefined on a new ledger. */
  lastMapping(): string | undefined;
  /** What the token of this staff e-mail learned of its pace in an earlier run; undefined when it never ran. */
  tokenPace(email: string): TokenPace | undefined;
  /** Keeps the pace a token ended the run with (committed at once). */
  recordTokenPace(email: string, pace: TokenPace): void;
  /**
   * True once a request of this ledger may have reached the API (a row or message left `pending`).
   * A ledger that never sent anything checks a sample of keys against the API before its first POST.
   */
  hasSent(): boolean;
  /** Records the start of a run and tells it what the previous run left. */
  startRun(start: RunStart): RunInfo;
  /** Records the end of the run (counts, learned rate, exit code). */
  finishRun(end: RunEnd): void;
  /** Adds what the run's requests came to in one minute (the report's chart). */
  recordMinute(minute: RequestMinute): void;
  /** What the ledger knows of `key`. */
  lookup(key: string): LedgerEntry | undefined;
  /** The row whose key a messages file names this way (`1077.0` for `1077`). */
  lookupJoined(joinKey: string): LedgerEntry | undefined;
  /** What the ledger knows of one message of a ticket's thread. */
  lookupMessage(ticket: string, originId: string): MessageEntry | undefined;
  /** A ticket's thread messages as the ledger has them (the opening one included), in thread order. */
  threadMessages(ticket: string): { originId: string; state: MessageState }[];
  /**
   * How `key`'s row and its thread stand, in one narrow read: what a nightly run needs to tell a
   * done ticket it can skip unmapped from one it must look up whole.
   */
  glance(key: string): RowGlance | undefined;
  /** What this ledger learned of the API's thread listings. */
  apiFacts(): ApiFacts;
  /** Keeps what was learned of the API's thread listings (committed at once). */
  learnApiFacts(facts: ApiFacts): void;
  /** Where `key` was read last, for a duplicate's message. */
  placeOf(key: string): { file: string; line: number } | undefined;
  /** Commits the write as `sending` (with the others of the same instant); resolves once durable. */
  markSendingSoon(write: SendingWrite): Promise<void>;
  /** Queues a row's new state. */
  record(update: RowUpdate): void;
  /** Queues a message's new state. */
  recordMessage(update: MessageUpdate): void;
  /** Queues a ticket's thread marked open (messages or its final update to come, `error` why) or finished. */
  setThread(key: string, open: boolean, error?: string): void;
  /** Queues the slug of a done row whose create answer carried none. */
  recordSlug(key: string, slug: string): void;
  /**
   * Notes that `key` was read in this run without changing its state; `sourceHash`, when given,
   * becomes the row's source hash (a done row read unchanged, whose source hash was not kept yet).
   */
  touch(key: string, sourceHash?: string): void;
  /** Records a duplicate row of this run. */
  recordDuplicate(row: DuplicateRow): void;
  /** Commits every queued write. */
  flush(): void;
  /** Rows per state, as `status` counts them. */
  counts(): Record<StatusState, number>;
  /** Thread messages per state and open threads, as `status` counts them. */
  messageCounts(): LedgerMessageCounts;
  /** The rows' loss counts, summed over done rows and over rows still to import. */
  lossCounts(): LedgerLossCounts;
  /** Commits what is queued and releases the ledger. */
  close(): void;
}
