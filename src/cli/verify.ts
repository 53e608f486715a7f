import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { ImportError } from '../errors.js';
import { SqliteLedger } from '../ledger/sqlite-ledger.js';
import type { SqliteVerify, VerifyMode, VerifyTotals } from '../ledger/sqlite-verify.js';
import { verifyConversations, type VerifyPass } from '../pipeline/verify.js';
import { drawSample, wilsonInterval } from '../pipeline/verify-sample.js';
import { ReamazeClient } from '../reamaze/client.js';
import { Throttle } from '../reamaze/throttle.js';
import { RowWriter, type ReportFormat } from '../report/row-writer.js';
import { readCredentials } from './credentials.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { inputFiles, loadCompiledMapping, lookupFiles, messageFiles, outputPath, refuseOverwritingInputs } from './load.js';
import type { CliIO } from './io.js';
import { formatCount, Renderer } from './render.js';
import { throttleOptions } from './run.js';

/** What the command checked, drawn how, and what it found. */
interface VerifyReport {
  mode: VerifyMode;
  population: number;
  resumed: boolean;
  totals: VerifyTotals;
  pass: VerifyPass;
}

/**
 * `verify [files..] --ledger L`: reads back from Re:amaze (GETs only) each conversation the ledger
 * has done, or a seeded sample of them, and compares it with the mapped export; resumable.
 * Exit 0 when all match, 1 otherwise, 130 when interrupted, 3 when the API stopped it.
 */
export async function runVerify(args: Record<string, unknown>, io: CliIO): Promise<number> {
  const renderer = new Renderer(io, { json: Boolean(args.json), quiet: Boolean(args.quiet) });
  const ledgerPath = outputPath(String(args.ledger), io.cwd);
  if (!existsSync(ledgerPath)) throw new ImportError('LEDGER_UNREADABLE', `No ledger at ${ledgerPath}: verify reads back what a run recorded there; check the path.`);
  const mode = verifyMode(args);
  const credentials = readCredentials(args, io.env, io.cwd);
  if (typeof args.out === 'string') refuseOverwritingInputs(args.out, '--out', [ledgerPath], io.cwd);
  // Takes the lock: a run in progress refuses verify with its own message.
  const ledger = SqliteLedger.open(ledgerPath);
  const client = new ReamazeClient({ ...credentials, timeoutMs: Number(args.timeout ?? 30) * 1000 });
  const controller = new AbortController();
  const unsubscribe = io.onSignal?.(() => {
    renderer.stopping('Stopping: no new conversation is read back; what was checked is kept, and the same command resumes.');
    controller.abort();
    // Requests waiting for their turn are dropped at once: none of them has left yet.
    void throttle?.stop();
  });
  let throttle: Throttle | undefined;
  try {
    const store = ledger.verifications();
    const recorded = store.lastRunArgs() ?? {};
    const inputs = exportInputs(args, recorded, io.cwd);
    const mapping = await loadCompiledMapping(inputs.mapping, io.cwd);
    if (typeof args.out === 'string') refuseOverwritingInputs(args.out, '--out', [...inputs.files, ...inputs.messages], io.cwd);
    const drawn = drawTargets(store, mode);
    // The run's pace: --rate, else what the last run ended with, just under the limit it learned.
    throttle = new Throttle(throttleOptions(args, ledger.learnedRate(), ledger.learnedLimit()));
    const pass = await verifyConversations({
      ...inputs, mapping, ledger, store, client, throttle, verification: drawn.id, targets: drawn.targets,
      runTags: Array.isArray(recorded.tag) ? recorded.tag.map(String) : [], repair: args.repair === true,
      window: Number(args.concurrency ?? 4) * 4, signal: controller.signal,
      onWarning: (warning) => renderer.note(`Warning: ${warning}`),
    });
    const complete = !pass.stopped && pass.aborted === undefined;
    const totals = store.finish(drawn.id, complete);
    if (typeof args.out === 'string') await writeMismatches(store, drawn.id, outputPath(args.out, io.cwd), reportFormat(args.format, args.out));
    const report: VerifyReport = { mode: drawn.mode, population: drawn.population, resumed: drawn.resumed, totals, pass };
    if (args.json) renderer.json(toJson(report, args.out));
    else renderer.result(formatVerifySummary(report, typeof args.out === 'string' ? args.out : undefined));
    if (pass.aborted) renderer.error(`Stopped early: ${pass.aborted.message}\nWhat was checked is kept in ${ledgerPath}; the same command resumes.`);
    if (pass.aborted) return exitCodeFor(pass.aborted.code);
    if (pass.stopped) return exitCodeFor('INTERRUPTED');
    return totals.mismatched + totals.unreadable > 0 ? ExitCode.ROWS_FAILED : ExitCode.OK;
  } finally {
    unsubscribe?.();
    client.close();
    await throttle?.stop();
    ledger.close();
  }
}

/** `--sample N [--seed S]` or `--all` (the default). */
function verifyMode(args: Record<string, unknown>): VerifyMode {
  const sample = typeof args.sample === 'number' ? args.sample : undefined;
  if (sample !== undefined && args.all === true) throw new ImportError('USAGE', '--sample and --all are given together: give --sample N to check N conversations drawn at random, or --all to check every one.');
  if (sample === undefined && args.seed !== undefined) throw new ImportError('USAGE', '--seed draws a --sample: give --sample N with it.');
  return sample === undefined ? { mode: 'all', sampleSize: null, seed: null } : { mode: 'sample', sampleSize: sample, seed: typeof args.seed === 'string' ? args.seed : null };
}

/** The export to read: the files, mapping, messages and lookups given, else the ones of the ledger's last run. */
function exportInputs(args: Record<string, unknown>, recorded: Record<string, unknown>, cwd: string) {
  // An optional list of files none of which was given reads as [undefined].
  const named = Array.isArray(args.files) ? args.files.filter((file): file is string => typeof file === 'string') : [];
  const given = named.length > 0;
  const files = given ? named : recorded.files;
  const mapping = args.mapping ?? recorded.mapping;
  if (files === undefined || (Array.isArray(files) && files.length === 0) || mapping === undefined) {
    throw new ImportError('USAGE', 'verify needs the export and its mapping, and the ledger records no run that names them: give the files and --mapping, as for run.');
  }
  return {
    files: inputFiles(files, cwd),
    mapping: String(mapping),
    messages: messageFiles({ messages: args.messages ?? (given ? undefined : recorded.messages) }, cwd),
    lookups: lookupFiles({ lookup: args.lookup ?? (given ? undefined : recorded.lookup) }, cwd),
  };
}

/** The verification to resume (the same mode, size and seed, unfinished), else a new one; its targets still to check. */
function drawTargets(store: SqliteVerify, asked: VerifyMode) {
  const done = store.doneConversations();
  const unfinished = store.findUnfinished(asked);
  const mode: VerifyMode = { ...asked, seed: asked.mode === 'sample' ? (unfinished?.seed ?? asked.seed ?? randomBytes(4).toString('hex')) : null };
  const id = unfinished?.id ?? store.begin(mode, done.length);
  const chosen = mode.mode === 'sample' ? drawSample(done, mode.sampleSize ?? 0, mode.seed ?? '') : done;
  const decided = store.decidedKeys(id);
  return { id, mode, population: done.length, resumed: unfinished !== undefined, targets: chosen.filter((target) => !decided.has(target.key)) };
}

/** `--format`, else the extension (`.csv` is CSV), else JSONL. */
function reportFormat(format: unknown, out: string): ReportFormat {
  if (format === 'csv' || format === 'jsonl') return format;
  return out.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl';
}

/** Every mismatch of the verification, one row each, as `failures` writes its rows (`state` is the kind). */
async function writeMismatches(store: SqliteVerify, id: number, path: string, format: ReportFormat): Promise<void> {
  const writer = await RowWriter.open(path, format, ['slug', 'kind']);
  try {
    for (const m of store.mismatches(id)) {
      await writer.write({ file: m.file ?? '', line: m.line ?? 0, key: m.key, state: m.kind, http_status: null, error: m.detail, errors: [m.detail], fields: { slug: m.slug, kind: m.kind } });
    }
  } finally {
    await writer.close();
  }
}

/** The share of mismatches and, for a sample, its 95% Wilson interval. */
function share(report: VerifyReport) {
  const { checked, mismatched } = report.totals;
  return { share: checked === 0 ? 0 : mismatched / checked, interval: report.mode.mode === 'sample' ? wilsonInterval(mismatched, checked) : undefined };
}

function toJson(report: VerifyReport, out: unknown) {
  const { totals, mode, pass } = report;
  const { share: mismatchShare, interval } = share(report);
  return {
    mode: mode.mode, sample_size: mode.sampleSize, seed: mode.seed, population: report.population, resumed: report.resumed,
    checked: totals.checked, matched: totals.matched, mismatched: totals.mismatched, unreadable: totals.unreadable, by_kind: totals.kinds,
    mismatch_share: mismatchShare, interval95: interval ?? null, not_in_export: pass.notInExport, duplicates_unchecked: pass.duplicatesUnchecked, repaired: pass.repaired,
    interrupted: pass.stopped, aborted: pass.aborted?.message ?? null, out: typeof out === 'string' ? out : null,
  };
}

/** The human summary: what was checked, how it was drawn, what was found. */
export function formatVerifySummary(report: VerifyReport, out: string | undefined): string {
  const { totals, mode, pass } = report;
  const c = (n: number) => formatCount(n);
  const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    mode.mode === 'sample'
      ? `A sample: ${c(mode.sampleSize ?? 0)} of the ${c(report.population)} done conversations, drawn uniformly at random without replacement with seed ${mode.seed} (the same seed draws the same sample).`
      : `All ${c(report.population)} done conversations.`,
    `${c(totals.checked)} checked${report.resumed ? ' (resuming an unfinished verification)' : ''}: ${c(totals.matched)} match, ${c(totals.mismatched)} mismatched` +
      `${totals.unreadable > 0 ? `, ${c(totals.unreadable)} could not be read` : ''}.`,
  ];
  const kinds = Object.entries(totals.kinds);
  if (kinds.length > 0) lines.push(`Mismatches by kind: ${kinds.map(([kind, n]) => `${kind} ${c(n)}`).join(' · ')}.`);
  const { share: mismatchShare, interval } = share(report);
  if (interval) lines.push(`Mismatched share: ${percent(mismatchShare)} (95% interval ${percent(interval.low)}–${percent(interval.high)}).`);
  if (pass.duplicatesUnchecked > 0) lines.push(`${c(pass.duplicatesUnchecked)} conversations could not be checked for duplicates: the lookup by key did not answer filtered by it.`);
  if (pass.notInExport > 0) lines.push(`${c(pass.notInExport)} done conversations are not a valid row of the export any more: checked for presence and duplicates only.`);
  if (pass.repaired > 0) lines.push(`--repair: ${c(pass.repaired)} missing conversations are pending again; the next run creates them.`);
  if (out !== undefined) lines.push(`Every mismatch is in ${out}.`);
  if (pass.stopped) lines.push('Interrupted: what was checked is kept; the same command resumes.');
  return lines.join('\n');
}
