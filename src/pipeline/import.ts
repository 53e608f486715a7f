import { ImportError } from '../errors.js';
import type { LedgerEntry } from '../ledger/ledger.js';
import type { SqliteLedger } from '../ledger/sqlite-ledger.js';
import { DEFAULT_KEY_FIELD } from '../mapping/compile.js';
import { mappingChanges } from '../mapping/diff.js';
import { JOINED_MESSAGES } from '../mapping/messages.js';
import type { RecordStage } from '../stage/record-stage.js';
import type { CompiledMapping } from '../mapping/types.js';
import type { ReamazeClient } from '../reamaze/client.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../reamaze/retry-policy.js';
import type { Throttle } from '../reamaze/throttle.js';
import type { SourceRecord } from '../source/types.js';
import { checkMessages, checkRow } from './check-row.js';
import { emptyCounts, type ImportCounts } from './import-counts.js';
import { openSources } from './open-sources.js';
import { preflight } from './preflight.js';
import { PROGRESS_EVERY_ROWS, type ProgressListener } from './progress.js';
import { hashOf } from './hash.js';
import { sendRow, type OutgoingRow, type SendContext } from './send-row.js';
import { finalUpdate, sendThread, type OutgoingThread } from './send-thread.js';

/** What `run` needs; the CLI builds the ledger, client and throttle. */
export interface ImportOptions {
  files: readonly string[];
  mapping: CompiledMapping;
  ledger: SqliteLedger;
  client: ReamazeClient;
  throttle: Throttle;
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
  /** Rows read ahead of the requests finishing, at most. Default 64. */
  window?: number;
  /** Aborted: stop reading, let requests in flight finish (bounded), record, return. */
  signal?: AbortSignal;
  /** After a signal, how long requests in flight may take to finish. Default 10 s. */
  graceMs?: number;
  onProgress?: ProgressListener;
  onWarning?: (text: string) => void;
}

/** The result of `run`. */
export interface ImportSummary extends ImportCounts {
  /** Set when the run stopped early (bad credentials, unknown brand…): resumable. */
  aborted: ImportError | undefined;
  /** True when a signal stopped the run: resumable. */
  interrupted: boolean;
  /** The request rate the run ended with, stored for the next run. */
  rate: number;
  /** Relational exports: message records that cannot be read, and messages of no ticket of the files (known once every ticket was read). */
  messageFiles: { unreadable: number; orphans: number | null } | undefined;
}

/** Imports every valid row not yet done; the same call again resumes. */
export async function importFiles(options: ImportOptions): Promise<ImportSummary> {
  const opened = await openSources(options.files, options.mapping, { messages: options.messages ?? [], lookups: options.lookups ?? {} });
  opened.warnings.forEach((warning) => options.onWarning?.(warning));
  const counts = emptyCounts();
  const context: SendContext = {
    ledger: options.ledger, client: options.client, throttle: options.throttle,
    retry: options.retry ?? DEFAULT_RETRY_POLICY, keyField: options.mapping.keyField, abort: { error: undefined },
  };
  context.onOutcome = watchReachability(context.abort);
  // A signal stops reading and, through this flag, every request still waiting for its turn.
  options.signal?.addEventListener('abort', () => (context.abort.stopped = true), { once: true });
  const budget = errorBudget(options, context.abort);
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
  const inFlight = new Set<Promise<void>>();
  let messageFiles: ImportSummary['messageFiles'];
  const report = () => {
    const bytesRead = opened.sources.reduce((sum, source) => sum + source.bytesRead(), 0);
    options.onProgress?.({ bytesRead, totalBytes: opened.totalBytes, rows: counts.rows, counts: progressCounts(counts, options.throttle.rate) });
  };
  // Sends a ticket (within the window of tickets in flight); progress after every answer: at API
  // speed rows finish seconds apart, not thousands a second.
  const tickets: TicketRun = { context, counts, note: budget.note, warn: (text) => options.onWarning?.(text), rowsInFlight: 0 };
  const start = async (outgoing: OutgoingTicket) => {
    if (outgoing.row) tickets.rowsInFlight += 1;
    const task = sendTicket(outgoing, tickets).then(report);
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
    if (inFlight.size >= (options.window ?? 64)) await Promise.race(inFlight);
  };
  try {
    await preflight(options.client, options.throttle, options.mapping.keyField);
    let sent = 0;
    let readAll = false;
    reading: for (const [fileIndex, source] of opened.sources.entries()) {
      for await (const record of source.records()) {
        if (options.signal?.aborted || context.abort.error) break reading;
        if (options.limit !== undefined && sent >= options.limit) break reading;
        opened.attach(record);
        const outgoing = classify(record, fileIndex, run.id, options, counts, budget.note);
        if (outgoing) {
          if (outgoing.row) sent += 1;
          await start(outgoing);
        }
        if (counts.rows % PROGRESS_EVERY_ROWS === 0) report();
      }
    }
    readAll = !options.signal?.aborted && !context.abort.error && !(options.limit !== undefined && sent >= options.limit);
    if (readAll && opened.stage) {
      for (const outgoing of earlierTickets(opened.stage, options, counts)) {
        if (options.signal?.aborted || context.abort.error) {
          // Handed out but not started: its messages wait for the next run.
          counts.messages.pending += outgoing.thread?.messages.length ?? 0;
          readAll = false;
          break;
        }
        await start(outgoing);
      }
    }
    await settleInFlight(inFlight, options.signal, options.graceMs ?? 10_000);
    // Still in flight when the grace ran out: the ledger has them `sending`, looked up next run.
    counts.uncertain += tickets.rowsInFlight;
    tickets.closed = true;
    report();
    if (opened.stage) messageFiles = { unreadable: opened.stage.problemCount, orphans: readAll ? warnOrphans(opened, options) : null };
  } finally {
    options.ledger.flush();
    await opened.close();
  }
  return { ...counts, aborted: context.abort.error, interrupted: options.signal?.aborted ?? false, rate: options.throttle.rate, messageFiles };
}

/** What one ticket needs: its conversation created (unless done before), then its thread completed. */
interface OutgoingTicket {
  row?: OutgoingRow;
  thread?: OutgoingThread;
}

/** What sending tickets shares: the API side, the counts, the error budget, warnings. */
interface TicketRun {
  context: SendContext;
  counts: ImportCounts;
  note: (failed: boolean) => void;
  warn: (text: string) => void;
  /** Conversations sent whose outcome is not counted yet. */
  rowsInFlight: number;
  /** Set once the summary is taken: a ticket finishing later counts no more. */
  closed?: boolean;
}

/** Creates the conversation when needed, then adds its thread; counts what happened. */
async function sendTicket(ticket: OutgoingTicket, run: TicketRun): Promise<void> {
  const { context, counts, note, warn } = run;
  let slug = ticket.thread?.slug;
  let opener: string | undefined;
  // Not expected (the ledger's disk is full…): the ticket counts as failed, with one sentence.
  const unexpected = (error: unknown) => {
    warn(`${ticket.row?.key ?? ticket.thread?.key ?? '?'}: ${error instanceof Error ? error.message : String(error)}; the next run tries again.`);
    return undefined;
  };
  if (ticket.row) {
    const sent = await sendRow(ticket.row, context).catch(unexpected);
    const { state, slug: created, opener: sentOpener } = sent ?? { state: 'failed' as const, slug: undefined, opener: undefined };
    if (run.closed) return;
    counts[state] += 1;
    run.rowsInFlight -= 1;
    if (state === 'rejected' || state === 'failed') note(true);
    else if (state === 'done') note(false);
    if (state !== 'done') {
      // Its messages wait for it (the opening one goes with it).
      if (ticket.thread) counts.messages.pending += ticket.thread.messages.length - (ticket.row.opener ? 1 : 0);
      return;
    }
    slug = created;
    opener = sentOpener;
  }
  if (!ticket.thread) return;
  const result = await sendThread({ ...ticket.thread, slug, ...(opener === undefined ? {} : { opener }) }, context).catch(unexpected);
  if (run.closed) return;
  if (!result) {
    counts.messages.failed += 1;
    return;
  }
  for (const [state, n] of Object.entries(result.messages)) counts.messages[state as keyof ImportCounts['messages']] += n;
  if (result.update === 'done' || result.update === 'failed') counts.updates[result.update] += 1;
  // Only what failed anew counts against --max-errors: last night's refused messages do not.
  if (result.newErrors > 0) note(true);
}

/**
 * Messages of the messages files whose ticket is in none of the tickets files but was imported by
 * an earlier run (a nightly delta: new replies to old tickets): they are added to its
 * conversation. The ticket's status is not in tonight's files, so no final update is sent.
 */
function* earlierTickets(stage: RecordStage, options: ImportOptions, counts: ImportCounts): Generator<OutgoingTicket> {
  const { ledger, mapping } = options;
  let after = '';
  for (;;) {
    const tickets = stage.unaskedTickets(after, 500);
    if (tickets.length === 0) return;
    for (const joined of tickets) {
      after = joined;
      // The ledger's own key for it (`1077` may have been `1077.0` in the tickets file).
      const previous = ledger.lookupJoined(joined);
      // Not imported before: left unasked, so it is reported as an orphan.
      if (previous?.state !== 'done') continue;
      const { key } = previous;
      const mapped = mapping.mapThread({ [JOINED_MESSAGES]: stage.messagesOf(joined) }, key);
      const errors = [...mapped.errors];
      const messages = checkMessages(mapped.messages, errors);
      if (previous.threadOpen) {
        // Its thread is unfinished (a message failed, is uncertain, or was never sent): adding
        // tonight's messages would put them before those, and the rest are not in tonight's files.
        const waiting = messages.filter((m) => m.originId !== previous.opener && ledger.lookupMessage(key, m.originId)?.state !== 'done').length;
        counts.messages.pending += waiting;
        if (waiting > 0) {
          options.onWarning?.(`Ticket ${key} has an unfinished thread from an earlier run: its ${waiting} new messages wait until the ticket is in the tickets files again, with its whole thread.`);
        }
        continue;
      }
      if (errors.length > 0) {
        counts.messages.failed += messages.length;
        options.onWarning?.(`The new messages of ticket ${key} (imported by an earlier run) are not sent: ${errors.join('; ')}.`);
        continue;
      }
      yield { thread: { key, slug: previous.slug, messages, final: undefined, open: false, opener: previous.opener } };
    }
  }
}

/** After every ticket was read: messages of the messages files whose ticket none of the files has, nor the ledger. */
function warnOrphans(opened: Awaited<ReturnType<typeof openSources>>, options: ImportOptions): number {
  const orphans = opened.stage?.orphans(options.messages ?? []);
  if (!orphans || orphans.count === 0) return 0;
  options.onWarning?.(`${orphans.count} messages belong to no ticket of these files nor of earlier runs, and were not imported (first: ${orphans.example ?? '?'}).`);
  return orphans.count;
}

/** Decides what to do with one record; returns what to send, or counts it and returns undefined. */
function classify(record: SourceRecord, fileIndex: number, runId: number, options: ImportOptions, counts: ImportCounts, budgetNote?: (failed: boolean) => void): OutgoingTicket | undefined {
  counts.rows += 1;
  const { ledger, mapping } = options;
  const verdict = checkRow(record, mapping, undefined, options.files, fileIndex);
  const key = verdict.key ?? `@${record.file}:${record.line}`;
  const previous = ledger.lookup(key);
  if (previous?.seenRun === runId) return duplicate(record, key, options, counts);
  if (verdict.state !== 'valid') {
    counts.invalid += 1;
    const fieldsHash = hashOf(record.fields);
    // A key that may exist in Re:amaze keeps its state: an invalid copy must not make it look unsent.
    if (previous && ['done', 'sending', 'uncertain'].includes(previous.state)) ledger.touch(key);
    else ledger.record({ key, file: record.file, line: record.line, state: 'invalid', errorCode: verdict.code, error: verdict.errors.join('; '), fields: JSON.stringify(record.fields), payloadHash: fieldsHash });
    // Only a row that failed anew counts against --max-errors: last night's unchanged ones do not.
    if (!(previous?.state === 'invalid' && previous.payloadHash === fieldsHash)) budgetNote?.(true);
    return undefined;
  }
  const body = options.tags?.length ? withTags(verdict.body, options.tags) : verdict.body;
  // The hash is of the mapped row, without --tag: a sample tagged once is not "changed" later.
  const payloadHash = hashOf(verdict.body);
  // Marks the key as read in this run at once, so a second row with it is a duplicate even while
  // the first one's request is still in flight.
  const payload = JSON.stringify(body);
  const fields = JSON.stringify(record.fields);
  if (previous) ledger.touch(key);
  // A new key is written `pending` at once (group-committed), for the same reason.
  else ledger.record({ key, file: record.file, line: record.line, state: 'pending', payloadHash, payload, fields });
  // The whole thread, its opening message included: the ledger knows each message by its origin_id
  // (and the opening one as the row's opener), whichever one sorts first tonight.
  const thread = verdict.opener ? [verdict.opener, ...verdict.messages] : verdict.messages;
  if (!shouldSend(previous, payloadHash, counts)) {
    if (previous?.state !== 'done') return undefined;
    // Done before: its thread may still have messages to add (an interrupted run, new replies).
    if (verdict.messages.length === 0 && !previous.threadOpen && (!verdict.opener || verdict.opener.originId === previous.opener)) return undefined;
    return { thread: { key, slug: previous.slug, messages: thread, final: finalUpdate(body, false), open: previous.threadOpen, opener: previous.opener } };
  }
  const hasThread = verdict.messages.length > 0;
  const opener = verdict.opener ? { originId: verdict.opener.originId, index: verdict.opener.index } : undefined;
  const row: OutgoingRow = { key, file: record.file, line: record.line, body, payload, fields, payloadHash, previous, hasThread, ...(opener ? { opener } : {}) };
  if (!hasThread && !previous?.threadOpen) return { row };
  return { row, thread: { key, slug: previous?.slug, messages: thread, final: finalUpdate(body, true), open: hasThread || (previous?.threadOpen ?? false) } };
}


/**
 * Done keys are never posted again (a changed body is counted as changed); rejected and invalid
 * rows are tried again only when their body changed; everything else is (re)sent.
 */
function shouldSend(previous: LedgerEntry | undefined, payloadHash: string, counts: ImportCounts): boolean {
  if (!previous) return true;
  const changed = previous.payloadHash !== null && previous.payloadHash !== payloadHash;
  if (previous.state === 'done') {
    counts.skipped += 1;
    if (changed) counts.changed += 1;
    return false;
  }
  if ((previous.state === 'rejected' || previous.state === 'invalid') && !changed) {
    counts[previous.state] += 1;
    return false;
  }
  return true;
}

function duplicate(record: SourceRecord, key: string, options: ImportOptions, counts: ImportCounts): undefined {
  counts.duplicates += 1;
  const first = options.ledger.placeOf(key);
  options.ledger.recordDuplicate({ key, file: record.file, line: record.line, firstFile: first?.file ?? '?', firstLine: first?.line ?? 0 });
  return undefined;
}

function progressCounts(counts: ImportCounts, rate: number): Record<string, number> {
  const { done, skipped, rejected, failed, invalid } = counts;
  const messages = counts.messages.done;
  return { done, skipped, rejected, failed, invalid, ...(messages > 0 ? { messages } : {}), 'req/s': Math.round(rate * 10) / 10 };
}

/**
 * Waits for the rows in flight; once a signal came (before or during the wait) only `graceMs`
 * more: a row still in flight then stays `sending` in the ledger, and the next run looks it up.
 */
async function settleInFlight(inFlight: Set<Promise<void>>, signal: AbortSignal | undefined, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    const start = () => (timer = setTimeout(resolve, graceMs));
    if (signal?.aborted) start();
    else signal?.addEventListener('abort', start, { once: true });
  });
  await Promise.race([Promise.all(inFlight), grace]);
  clearTimeout(timer);
}

/** Requests in a row that could not reach the API before the run stops as unreachable (exit 3). */
const UNREACHABLE_AFTER = 25;

function watchReachability(abort: SendContext['abort']): NonNullable<SendContext['onOutcome']> {
  let unreachable = 0;
  return (outcome) => {
    unreachable = outcome.kind === 'not-sent' ? unreachable + 1 : 0;
    if (unreachable >= UNREACHABLE_AFTER && outcome.kind === 'not-sent') {
      abort.error ??= new ImportError('API_UNREACHABLE', `The API cannot be reached: ${outcome.reason}.`);
    }
  };
}

/** The body with `tags` added to `conversation.tag_list` (each once). */
function withTags(body: Record<string, unknown>, tags: readonly string[]): Record<string, unknown> {
  const conversation = body.conversation as Record<string, unknown>;
  const existing = Array.isArray(conversation.tag_list) ? (conversation.tag_list as string[]) : [];
  return { ...body, conversation: { ...conversation, tag_list: [...new Set([...existing, ...tags])] } };
}

/** Rows of this run an error rate is judged on, at the least. */
const ERROR_RATE_MIN_ROWS = 50;

/**
 * `--max-errors` / `--max-error-rate`: a bad mapping or a channel the API rejects makes every row
 * fail; stop early (resumable) instead of burning through a million rows.
 */
function errorBudget(options: ImportOptions, abort: SendContext['abort']): { note(failed: boolean): void } {
  let seen = 0;
  let errors = 0;
  return {
    note(failed) {
      seen += 1;
      if (failed) errors += 1;
      if (abort.error) return;
      if (options.maxErrors !== undefined && errors >= options.maxErrors) {
        abort.error = new ImportError('ERROR_BUDGET', `${errors} rows were rejected, failed or invalid, the most --max-errors allows: stopped early. Check the errors (the ledger keeps each one), fix the mapping or the export, and run again.`);
      } else if (options.maxErrorRate !== undefined && seen >= ERROR_RATE_MIN_ROWS && errors / seen >= options.maxErrorRate) {
        const share = `${Math.round((errors / seen) * 100)}%`;
        abort.error = new ImportError('ERROR_BUDGET', `${share} of the ${seen} rows so far were rejected, failed or invalid, over --max-error-rate: stopped early. Fix the mapping or the export, and run again.`);
      }
    },
  };
}

/**
 * The row key is how the ledger and Re:amaze know a ticket: a new `source.key` or `key_field` on
 * an existing ledger would make every ticket look new and create it again. Refused (exit 2).
 */
function refuseKeyChange(previous: string | undefined, current: string): void {
  if (!previous) return;
  const keyOf = (canonical: string) => {
    const source = (JSON.parse(canonical) as { source?: { key?: unknown; key_field?: unknown } }).source ?? {};
    return { key: JSON.stringify(source.key ?? null), field: JSON.stringify(source.key_field ?? DEFAULT_KEY_FIELD) };
  };
  const before = keyOf(previous);
  const after = keyOf(current);
  if (before.key === after.key && before.field === after.field) return;
  const what = before.key !== after.key ? `source.key from ${before.key} to ${after.key}` : `source.key_field from ${before.field} to ${after.field}`;
  throw new ImportError('CONFIG_INVALID', `The mapping changes ${what} since the last run of this ledger: every ticket would get a new key and be created again. Restore it, or start a new import with a new --ledger.`);
}
