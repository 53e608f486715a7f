import { addLossCounts, parseLossCounts } from '../mapping/losses.js';
import { joinKey } from './join-key.js';
import {
  API_FACTS, foldState, type ApiFacts, type RequestMinute, STATUS_STATES, TO_IMPORT_STATES, type DuplicateRow, type Ledger, type LedgerEntry, type LedgerLossCounts,
  type LedgerMessageCounts, type MessageEntry, type MessageState, type MessageUpdate, type RowUpdate, type RunEnd, type RunInfo, type RunStart,
  type SendingWrite, type StatusState, type RowGlance, type TokenPace,
} from './ledger.js';

/** A row as the in-memory ledger holds it: the stored columns of the SQLite one. */
export interface MemoryRow extends LedgerEntry, Omit<RowUpdate, 'attempts' | 'state' | 'slug' | 'opener' | 'payloadHash'> {
  /** The row's error; for a done row, why its thread is still open (a failed final update). */
  error?: string | null;
}

/** A message as the in-memory ledger holds it. */
export type MemoryMessage = MessageEntry & Omit<MessageUpdate, 'state' | 'payloadHash'> & { attempts: number };

/**
 * The ledger contract kept in memory, for the unit tests of the fate table and the attempt loop:
 * the same states, the same "done keeps no customer data", the same counts. `sendingCommits`
 * counts the durable `sending` commits, so a test can tell the order of commit and request.
 */
export class MemoryLedger implements Ledger {
  readonly path = ':memory:';
  readonly rows = new Map<string, MemoryRow>();
  readonly messages = new Map<string, MemoryMessage>();
  readonly duplicates: (DuplicateRow & { run: number })[] = [];
  readonly runs: (RunStart & { id: number; end?: RunEnd })[] = [];
  sendingCommits = 0;
  readonly facts: ApiFacts = {};
  readonly minutes: RequestMinute[] = [];
  readonly paces = new Map<string, TokenPace>();

  learnedRate(): number | undefined {
    return this.runs.at(-1)?.end?.learnedRate;
  }

  learnedLimit(): number | undefined {
    return this.runs.at(-1)?.end?.learnedLimit;
  }

  tokenPace(email: string): TokenPace | undefined {
    return this.paces.get(email.toLowerCase());
  }

  recordTokenPace(email: string, pace: TokenPace): void {
    const before = this.paces.get(email.toLowerCase());
    this.paces.set(email.toLowerCase(), { rate: pace.rate ?? before?.rate, limit: pace.limit ?? before?.limit });
  }

  lastMapping(): string | undefined {
    const spec = this.runs.at(-1)?.args.mapping_spec;
    return typeof spec === 'string' ? spec : undefined;
  }

  hasSent(): boolean {
    return this.messages.size > 0 || [...this.rows.values()].some((row) => row.state !== 'pending' && row.state !== 'invalid');
  }

  startRun(start: RunStart): RunInfo {
    const previous = this.runs.at(-1);
    const id = this.runs.length + 1;
    const info = { id, previousMappingHash: previous?.mappingHash, previousMapping: this.lastMapping(), learnedRate: this.learnedRate() };
    this.runs.push({ ...start, id });
    return info;
  }

  finishRun(end: RunEnd): void {
    const run = this.runs.at(-1);
    if (run) run.end = end;
  }

  lookup(key: string): LedgerEntry | undefined {
    const row = this.rows.get(key);
    return row && { key, state: row.state, attempts: row.attempts, payloadHash: row.payloadHash, slug: row.slug, seenRun: row.seenRun, threadOpen: row.threadOpen, opener: row.opener, sentBy: row.sentBy ?? null, sourceHash: row.sourceHash ?? null };
  }

  lookupJoined(joined: string): LedgerEntry | undefined {
    const key = [...this.rows.keys()].filter((k) => joinKey(k) === joined).sort()[0];
    return key === undefined ? undefined : this.lookup(key);
  }

  lookupMessage(ticket: string, originId: string): MessageEntry | undefined {
    const message = this.messages.get(`${ticket}\u0000${originId}`);
    return message && { state: message.state, payloadHash: message.payloadHash };
  }

  placeOf(key: string): { file: string; line: number } | undefined {
    const row = this.rows.get(key);
    return row && { file: row.file, line: row.line };
  }

  recordMinute(minute: RequestMinute): void {
    this.minutes.push({ ...minute });
  }

  threadMessages(ticket: string): { originId: string; state: MessageState }[] {
    return [...this.messages.values()].filter((m) => m.ticket === ticket).sort((a, b) => a.seq - b.seq).map(({ originId, state }) => ({ originId, state }));
  }

  glance(key: string): RowGlance | undefined {
    const entry = this.lookup(key);
    if (!entry) return undefined;
    const thread = this.threadMessages(key);
    const tally = { skipped: thread.filter((m) => m.state === 'done' && m.originId !== entry.opener).length, notDone: thread.filter((m) => m.state !== 'done').length };
    return { state: entry.state, seenRun: entry.seenRun, threadOpen: entry.threadOpen, sourceHash: entry.sourceHash ?? null, thread: tally };
  }

  apiFacts(): ApiFacts {
    return { ...this.facts };
  }

  learnApiFacts(facts: ApiFacts): void {
    for (const name of API_FACTS) if (facts[name] !== undefined && this.facts[name] === undefined) this.facts[name] = facts[name];
  }

  async markSendingSoon(write: SendingWrite): Promise<void> {
    await Promise.resolve();
    this.sendingCommits += 1;
    if (write.kind === 'row') this.record({ ...write.update, state: 'sending' });
    else this.recordMessage({ ...write.update, state: 'sending' });
  }

  record(update: RowUpdate): void {
    const before = this.rows.get(update.key);
    const done = update.state === 'done';
    this.rows.set(update.key, {
      ...update,
      key: update.key, state: update.state, attempts: (before?.attempts ?? 0) + (update.attempts ?? 0),
      payloadHash: update.payloadHash ?? before?.payloadHash ?? null, sourceHash: update.sourceHash ?? before?.sourceHash ?? null, slug: update.slug ?? before?.slug ?? null,
      seenRun: this.runs.length, threadOpen: before?.threadOpen ?? false, opener: update.opener ?? before?.opener ?? null,
      sentBy: update.sentBy ?? before?.sentBy ?? null,
      payload: done ? null : (update.payload ?? null), fields: done ? null : (update.fields ?? before?.fields ?? null),
      problems: update.problems ?? null, losses: update.losses === undefined ? (before?.losses ?? null) : update.losses,
    });
  }

  recordMessage(update: MessageUpdate): void {
    const id = `${update.ticket}\u0000${update.originId}`;
    const before = this.messages.get(id);
    const done = update.state === 'done';
    this.messages.set(id, {
      ...update, attempts: (before?.attempts ?? 0) + (update.attempts ?? 0), sentBy: update.sentBy ?? before?.sentBy ?? null,
      payloadHash: update.payloadHash ?? before?.payloadHash ?? null, payload: done ? null : (update.payload ?? null),
    });
  }

  setThread(key: string, open: boolean, error?: string): void {
    const row = this.rows.get(key);
    if (!row) return;
    row.threadOpen = open;
    if (row.state === 'done') row.error = error ?? null;
  }

  recordSlug(key: string, slug: string): void {
    const row = this.rows.get(key);
    if (row) row.slug = slug;
  }

  touch(key: string, sourceHash?: string): void {
    const row = this.rows.get(key);
    if (row) row.seenRun = this.runs.length;
    if (row && sourceHash !== undefined) row.sourceHash = sourceHash;
  }

  recordDuplicate(row: DuplicateRow): void {
    this.duplicates.push({ ...row, run: this.runs.length });
  }

  flush(): void {
    // Every write is in place at once.
  }

  counts(): Record<StatusState, number> {
    const counts = Object.fromEntries(STATUS_STATES.map((state) => [state, 0])) as Record<StatusState, number>;
    for (const row of this.rows.values()) counts[foldState(row.state) as StatusState] += 1;
    counts.duplicate = this.duplicates.filter((row) => row.run === this.runs.length).length;
    return counts;
  }

  messageCounts(): LedgerMessageCounts {
    const counts: LedgerMessageCounts = { done: 0, rejected: 0, failed: 0, uncertain: 0, pending: 0, open_threads: 0 };
    for (const message of this.messages.values()) counts[foldState(message.state) as keyof LedgerMessageCounts] += 1;
    counts.open_threads = [...this.rows.values()].filter((row) => row.threadOpen).length;
    return counts;
  }

  lossCounts(): LedgerLossCounts {
    const sums: LedgerLossCounts = { done: {}, notDone: {} };
    for (const row of this.rows.values()) {
      if (row.state === 'done') addLossCounts(sums.done, parseLossCounts(row.losses));
      else if (TO_IMPORT_STATES.includes(row.state)) addLossCounts(sums.notDone, parseLossCounts(row.losses));
    }
    return sums;
  }

  close(): void {
    // Nothing to release.
  }
}
