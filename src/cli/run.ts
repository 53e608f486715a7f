import { writeFile } from 'node:fs/promises';
import type { Ledger } from '../ledger/ledger.js';
import { SqliteLedger } from '../ledger/sqlite-ledger.js';
import { describeErrno, ImportError } from '../errors.js';
import { importFiles, type ImportSummary } from '../pipeline/import.js';
import { TokenPool } from '../pipeline/token-pool.js';
import { ReamazeClient } from '../reamaze/client.js';
import { parseRate, Throttle } from '../reamaze/throttle.js';
import { readCredentialSet, type TokenCredential } from './credentials.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { DEFAULT_RATE } from './numbers.js';
import { inputFiles, loadCompiledMapping, lookupFiles, messageFiles, outputPath, refuseOverwritingInputs } from './load.js';
import type { CliIO } from './io.js';
import { formatCount, lossLines, quoteArg, Renderer } from './render.js';
import { authorArgs } from './staff-map.js';
import { redact } from '../redact.js';


/** `run <files..> --mapping M --ledger L`: the import; the same command again resumes. */
export async function runImport(args: Record<string, unknown>, io: CliIO, argv: readonly string[]): Promise<number> {
  const renderer = new Renderer(io, { json: Boolean(args.json), quiet: Boolean(args.quiet) });
  const mapping = await loadCompiledMapping(String(args.mapping), io.cwd);
  const credentials = readCredentialSet(args, io.env, io.cwd);
  const importer = unattributedAs(args, credentials.tokens);
  // Checked before the ledger is opened: a refused command line leaves no ledger behind.
  const inputs = { files: inputFiles(args.files, io.cwd), messages: messageFiles(args, io.cwd), lookups: lookupFiles(args, io.cwd) };
  if (typeof args['summary-file'] === 'string') refuseOverwritingInputs(args['summary-file'], '--summary-file', [...inputs.files, ...inputs.messages], io.cwd);
  const clients = credentials.tokens.map(({ email, token }) => new ReamazeClient({ baseUrl: credentials.baseUrl, email, token, timeoutMs: Number(args.timeout ?? 30) * 1000 }));
  const client = clients[0]!;
  const ledger = SqliteLedger.open(outputPath(String(args.ledger), io.cwd));
  const controller = new AbortController();
  const unsubscribe = io.onSignal?.(() => {
    renderer.stopping('Stopping: no new rows are read; requests in flight may finish (up to 10 s). Press Ctrl-C again to quit at once.');
    controller.abort();
  });
  let throttles: Throttle[] = [];
  let exitCode: number | undefined;
  try {
    throttles = credentials.tokens.map(({ email }) => startThrottle(args, ledger, email, credentials.tokens.length > 1 ? email : undefined, renderer));
    const throttle = throttles[0]!;
    // Several tokens: a token carries twice its requests in flight in tickets, the rest wait for
    // the first with room (a throttled token takes fewer). One token carries the whole window, as ever.
    const room = credentials.tokens.length > 1 ? 2 * Number(args.concurrency ?? 4) : Number.POSITIVE_INFINITY;
    const tokens = new TokenPool(credentials.tokens.map(({ email }, i) => ({ email, client: clients[i]!, throttle: throttles[i]! })), (warning) => renderer.note(`Warning: ${warning}`), room);
    const summary = await importFiles({
      ...inputs, mapping, ledger, client, throttle, tokens, args: recordedArgs(args), signal: controller.signal, ...limits(args),
      adoptExisting: args['adopt-existing'] === true,
      estimateTotal: !args.quiet,
      ...(args['unattributed-as'] === undefined ? {} : { unattributedAs: importer }),
      authors: { ...authorArgs(args, io.cwd), importer, readStaff: args['staff-list'] !== false },
      onProgress: (snapshot) => renderer.progress(snapshot),
      onWarning: (warning) => renderer.note(`Warning: ${warning}`),
    });
    exitCode = exitCodeOf(summary);
    return await finish(summary, ledger, { args, io, argv, renderer });
  } catch (error) {
    // Stopped before any row (bad credentials, unreadable file): still say what is kept.
    if (error instanceof ImportError) {
      exitCode = exitCodeFor(error.code);
      // A ledger that cannot be written (a full disk) cannot record the end either: its error is the news.
      if (!isLedgerFileError(error)) ledger.finishRun({ counts: {}, learnedRate: throttles[0]?.rate, learnedLimit: throttles[0]?.learnedLimit, exitCode });
    }
    throw error;
  } finally {
    renderer.stopProgress();
    unsubscribe?.();
    // Nothing is awaited any more: sockets first, so stopping the throttle waits for no answer.
    clients.forEach((each) => each.close());
    await Promise.all(throttles.map((each) => each.stop()));
    closeLedger(ledger, exitCode);
  }
}

/**
 * One token's throttle: --rate, else the pace this token (by its staff e-mail) ended its last run
 * with, else the last run's; and the limit it learned from 429s, which a faster --rate starts under.
 * `named`: the e-mail to name in the note (several tokens).
 */
function startThrottle(args: Record<string, unknown>, ledger: SqliteLedger, email: string, named: string | undefined, renderer: Renderer): Throttle {
  // A token this ledger knows keeps its own pace (no limit learned is no limit); one it does not
  // know starts from the last run's.
  const own = ledger.tokenPace(email);
  const pace = own ? throttleOptions(args, own.rate, own.limit) : throttleOptions(args, ledger.learnedRate(), ledger.learnedLimit());
  const throttle = new Throttle(pace);
  if (pace.learnedLimit !== undefined && throttle.rate < pace.rate) {
    const whose = named === undefined ? 'the last run learned from its 429s that the API lets' : `the token of ${named} learned from its 429s that the API lets it`;
    renderer.note(`${named === undefined ? '' : `${named}: `}Starting at ${throttle.rate.toFixed(2)} requests/s: ${whose} about ${pace.learnedLimit.toFixed(2)}/s through; faster, up to ${pace.maxRate}/s, is probed a step at a time.`);
  }
  return throttle;
}

/**
 * The staff member that messages without a resolvable author are sent as: `--unattributed-as`
 * (one of the tokens' e-mails), else the first token's. The message names them, whichever token sends it.
 */
function unattributedAs(args: Record<string, unknown>, tokens: readonly TokenCredential[]): string {
  const given = args['unattributed-as'];
  if (given === undefined) return tokens[0]!.email;
  const match = tokens.find((token) => token.email.toLowerCase() === String(given).trim().toLowerCase());
  if (!match) throw new ImportError('USAGE', `--unattributed-as ${String(given)} is not the e-mail of any token given: name one of ${tokens.map((token) => token.email).join(', ')}.`);
  return match.email;
}

/** The ledger file itself failed (damaged, disk full): nothing more can be recorded in it. */
function isLedgerFileError(error: ImportError): boolean {
  return error.code === 'LEDGER_DAMAGED' || error.code === 'LEDGER_UNWRITABLE';
}

/**
 * A run refused (2) or stopped (3) before it recorded any row leaves no ledger it created behind:
 * the next attempt starts as new either way. Any other ledger is kept.
 */
function closeLedger(ledger: SqliteLedger, exitCode: number | undefined): void {
  try {
    if (exitCode === ExitCode.USAGE || exitCode === ExitCode.ABORTED) ledger.closeDiscardingUnused();
    else ledger.close();
  } catch (error) {
    // The run already ended with an error of its own (the same full disk): that one is reported.
    if (exitCode === undefined || !(error instanceof ImportError) || !isLedgerFileError(error)) throw error;
  }
}

/** The options that bound a run: --limit, --max-errors, --max-error-rate, --tag. */
function limits(args: Record<string, unknown>) {
  return {
    ...(typeof args.limit === 'number' ? { limit: args.limit } : {}),
    ...(typeof args['max-errors'] === 'number' ? { maxErrors: args['max-errors'] } : {}),
    ...(typeof args['max-error-rate'] === 'number' ? { maxErrorRate: args['max-error-rate'] } : {}),
    ...(Array.isArray(args.tag) ? { tags: args.tag.map(String) } : {}),
  };
}

/** Records the end of the run, prints (and writes) its summary, and says how to resume; the exit code. */
async function finish(summary: ImportSummary, ledger: SqliteLedger, cli: { args: Record<string, unknown>; io: CliIO; argv: readonly string[]; renderer: Renderer }): Promise<number> {
  const { args, io, renderer } = cli;
  renderer.stopProgress();
  const exitCode = exitCodeOf(summary);
  // Each token keeps its own pace. The run's row keeps the one token's, or with several the
  // lowest a token ended with: what a token new to this ledger starts from next time.
  for (const token of summary.tokens) ledger.recordTokenPace(token.email, { rate: token.rate, limit: token.limit });
  const several = summary.tokens.length > 1;
  const learnedRate = several ? Math.min(...summary.tokens.map((token) => token.rate)) : summary.rate;
  ledger.finishRun({ counts: countsOf(summary), learnedRate, learnedLimit: summary.limit, exitCode });
  const result = toJson(summary, ledger);
  if (typeof args['summary-file'] === 'string') await writeSummary(outputPath(args['summary-file'], io.cwd), result);
  if (args.json) renderer.json(result);
  else renderer.result(formatRunSummary(summary, ledger));
  if (exitCode === ExitCode.ABORTED || exitCode === ExitCode.INTERRUPTED) renderer.error(resumeHint(summary, ledger.path, cli.argv));
  return exitCode;
}

/**
 * The pace of a run: --rate, else the rate the last run ended with, else 1/s; and the API's limit
 * the last run learned from 429s, which a faster --rate starts just under (and probes above).
 */
export function throttleOptions(args: Record<string, unknown>, learned: number | undefined, learnedLimit?: number) {
  const given = rateOption(args.rate, '--rate');
  const rate = given ?? learned ?? DEFAULT_RATE;
  const maxRate = rateOption(args['max-rate'], '--max-rate') ?? Math.max(rate, given ?? DEFAULT_RATE);
  // Checked where the options are declared (main.ts): a whole number from 1 to 64.
  const concurrency = Number(args.concurrency ?? 4);
  return { rate: Math.min(rate, maxRate), maxRate, concurrency, ...(learnedLimit === undefined ? {} : { learnedLimit }) };
}

function rateOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new ImportError('USAGE', `${name} is given ${value.length} times: give it once, in requests per second (2, 0.5) or per minute (90/min).`);
  const rate = parseRate(String(value));
  if (rate === undefined) throw new ImportError('USAGE', `${name} ${String(value)} is not a rate: give requests per second (2, 0.5) or per minute (90/min).`);
  return rate;
}

/** The options worth keeping with the run: never credentials. */
function recordedArgs(args: Record<string, unknown>): Record<string, unknown> {
  const kept = ['files', 'mapping', 'messages', 'lookup', 'ledger', 'adopt-existing', 'rate', 'max-rate', 'concurrency', 'limit', 'tag', 'max-errors', 'max-error-rate', 'base-url', 'brand', 'staff-map', 'unmatched-authors', 'staff-list', 'credentials', 'unattributed-as'];
  return Object.fromEntries(kept.filter((name) => args[name] !== undefined).map((name) => [name, args[name]]));
}

/**
 * The exit code of a run, through the one table of error codes: the abort's code (3), a signal's
 * (130), a row-scope code when anything did not make it (1), else 0.
 */
export function exitCodeOf(summary: ImportSummary): number {
  if (summary.aborted) return exitCodeFor(summary.aborted.code);
  if (summary.interrupted) return exitCodeFor('INTERRUPTED');
  const { messages, updates, messageFiles } = summary;
  const notDone = summary.rejected + summary.failed + summary.invalid + summary.uncertain + summary.duplicates +
    messages.rejected + messages.failed + messages.uncertain + messages.pending + updates.failed +
    (messageFiles?.unreadable ?? 0) + (messageFiles?.orphans ?? 0);
  return notDone > 0 ? ExitCode.ROWS_FAILED : ExitCode.OK;
}

function countsOf(summary: ImportSummary): Record<string, unknown> {
  const { aborted: _aborted, interrupted: _interrupted, rate: _rate, messageFiles, tokens: _tokens, ...counts } = summary;
  return { ...counts, ...(messageFiles ? { messages_files: messageFiles } : {}) };
}

function toJson(summary: ImportSummary, ledger: Ledger) {
  const { aborted, interrupted, rate } = summary;
  return {
    ...countsOf(summary), rate: Number(rate.toFixed(3)), interrupted, aborted: aborted?.message ?? null,
    ledger: ledger.counts(), ledger_messages: ledger.messageCounts(),
    // Several tokens: each one's pace at the end, and whether the API refused it.
    ...(summary.tokens.length > 1 ? { tokens: summary.tokens.map(({ email, rate: own, limit, retired }) => ({ email, rate: Number(own.toFixed(3)), limit: limit === undefined ? null : Number(limit.toFixed(3)), refused: retired })) } : {}),
  };
}

/** The human summary of a run and what the ledger now holds. */
export function formatRunSummary(summary: ImportSummary, ledger: Ledger): string {
  const c = (n: number) => formatCount(n);
  const lines = [
    `${c(summary.rows)} rows: ${c(summary.done)} created, ${c(summary.skipped)} already done` +
      `${summary.changed > 0 ? ` (${c(summary.changed)} of them changed since)` : ''}, ${c(summary.rejected)} rejected, ` +
      `${c(summary.failed)} failed, ${c(summary.invalid)} invalid, ${c(summary.uncertain)} uncertain, ${c(summary.duplicates)} duplicates` +
      `${summary.pending > 0 ? `, ${c(summary.pending)} not sent yet` : ''}.`,
    ...threadLines(summary),
    ...lossLines(summary.losses, 'Not carried as the export held it (tickets sent in this run):'),
    `Rate at the end: ${summary.rate.toFixed(2)} requests/s${tokenRates(summary)}.`,
    `The ledger holds: ${Object.entries(ledger.counts()).map(([state, n]) => `${state} ${c(n)}`).join(' · ')}.`,
  ];
  if (summary.aborted) lines.push(`Stopped early: ${summary.aborted.message}`);
  return lines.join('\n');
}

/** With several tokens: each one's rate at the end, and which the API refused. */
function tokenRates(summary: ImportSummary): string {
  if (summary.tokens.length < 2) return '';
  return ` (${summary.tokens.map((token) => `${token.email} ${token.retired ? 'refused by the API' : `${token.rate.toFixed(2)}/s`}`).join(', ')})`;
}

/** What happened to the threads, when there were any. */
function threadLines(summary: ImportSummary): string[] {
  const m = summary.messages;
  const total = Object.values(m).reduce((sum, n) => sum + n, 0);
  if (total === 0 && summary.updates.done + summary.updates.failed === 0) return [];
  const c = (n: number) => formatCount(n);
  return [
    `${c(total)} thread messages: ${c(m.done)} added, ${c(m.skipped)} already there, ${c(m.rejected)} rejected, ` +
      `${c(m.failed)} failed, ${c(m.uncertain)} uncertain, ${c(m.pending)} not sent yet; ` +
      `final status set on ${c(summary.updates.done)} conversations${summary.updates.failed > 0 ? ` (${c(summary.updates.failed)} failed)` : ''}.`,
  ];
}

function resumeHint(summary: ImportSummary, ledger: string, argv: readonly string[]): string {
  const why = summary.aborted ? `Stopped early: ${summary.aborted.message}` : 'The run was interrupted.';
  return `${why}\nNothing is lost: ${ledger} holds the state of every row. To resume, run the same command again:\n  reamaze-import ${argv.map(quoteArg).join(' ')}`;
}

async function writeSummary(path: string, summary: unknown): Promise<void> {
  await writeFile(path, `${redact(JSON.stringify({ ...(summary as object), finished_at: new Date().toISOString() }, null, 2))}\n`).catch((error: unknown) => {
    throw new ImportError('OUTPUT_UNWRITABLE', `Cannot write the summary file ${path}: ${describeErrno(error, { writing: true })}.`);
  });
}
