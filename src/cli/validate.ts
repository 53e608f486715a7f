import { resolveMappingPath } from '../mapping/presets.js';
import { validateFiles, type ValidateSummary } from '../pipeline/validate.js';
import { strictReasons, type LossReport } from '../pipeline/loss-report.js';
import type { ReportFormat } from '../report/row-writer.js';
import { ExitCode } from './exit-codes.js';
import { inputFiles, loadCompiledMapping, lookupFiles, messageFiles, outputPath, refuseOverwritingInputs } from './load.js';
import type { CliIO } from './io.js';
import { formatCount, lossLines, Renderer, reportLines, strictLine } from './render.js';
import { offlineAuthors } from './staff-map.js';

/** `validate <files..> --mapping M [--rejects R] [--json] [--strict]`: exit 0 when every row is valid (with --strict: and nothing is lost), 1 when not. */
export async function runValidate(args: Record<string, unknown>, io: CliIO): Promise<number> {
  const json = Boolean(args.json);
  const renderer = new Renderer(io, { json, quiet: Boolean(args.quiet) });
  const mapping = await loadCompiledMapping(String(args.mapping), io.cwd);
  const files = inputFiles(args.files, io.cwd);
  const rejectsPath = typeof args.rejects === 'string' ? outputPath(args.rejects, io.cwd) : undefined;
  if (typeof args.rejects === 'string') refuseOverwritingInputs(args.rejects, '--rejects', [...files, resolveMappingPath(String(args.mapping), io.cwd)], io.cwd);
  const summary = await validateFiles({
    files,
    mapping,
    ...(rejectsPath ? { rejects: { path: rejectsPath, format: rejectsFormat(args, rejectsPath) } } : {}),
    messages: messageFiles(args, io.cwd),
    lookups: lookupFiles(args, io.cwd),
    authors: offlineAuthors(args, io.cwd),
    ...threadOption(io.env),
    onProgress: (snapshot) => renderer.progress(snapshot),
    onWarning: (warning) => renderer.note(`Warning: ${warning}`),
  }).finally(() => renderer.stopProgress());
  const strict = { enforced: Boolean(args.strict), reasons: strictReasons(summary) };
  if (json) renderer.json({ ...toJson(summary, rejectsPath), strict: { enforced: strict.enforced, failed: strict.reasons.length > 0, reasons: strict.reasons } });
  else renderer.result(formatSummary(summary, typeof args.rejects === 'string' ? args.rejects : undefined, strict));
  if (strict.enforced && strict.reasons.length > 0) return ExitCode.ROWS_FAILED;
  const unreadableMessages = summary.messageFiles?.unreadable ?? 0;
  return summary.invalid + summary.duplicates + unreadableMessages === 0 ? ExitCode.OK : ExitCode.ROWS_FAILED;
}

function rejectsFormat(args: Record<string, unknown>, path: string): ReportFormat {
  if (args['rejects-format'] === 'csv' || args['rejects-format'] === 'jsonl') return args['rejects-format'];
  return path.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl';
}

function toJson(summary: ValidateSummary, rejects: string | undefined) {
  return {
    rows: summary.rows,
    valid: summary.valid,
    invalid: summary.invalid,
    duplicates: summary.duplicates,
    files: summary.files,
    top_errors: summary.topErrors,
    losses: summary.losses,
    loss_examples: summary.lossExamples,
    rejects: rejects ?? null,
    messages_files: summary.messageFiles
      ? {
          messages: summary.messageFiles.messages,
          unreadable: summary.messageFiles.unreadable,
          orphans: summary.messageFiles.orphans,
          first_orphan: summary.messageFiles.orphanExample ?? null,
        }
      : null,
    ...reportJson(summary.report),
  };
}

/** The loss report under stable snake_case keys (see README, validate). */
function reportJson(report: LossReport) {
  const { source, unused, ignored, emptyEverywhere, ignoreUnmatched } = report.fields;
  return {
    fields: { source, unused, ignored, empty_everywhere: emptyEverywhere, ignore_unmatched: ignoreUnmatched },
    messages_fields: report.messageFields
      ? { source: report.messageFields.source, unused: report.messageFields.unused, ignored: report.messageFields.ignored, empty_everywhere: report.messageFields.emptyEverywhere }
      : null,
    targets: report.targets.map((t) => ({
      leaf: t.at, per: t.per, reads: t.reads, count: t.count, value: t.value, empty: t.empty,
      default_taken: t.defaulted, default_taken_empty: t.defaultedEmpty, default: t.fallback ?? null,
    })),
    unmapped_values: Object.fromEntries(report.unmapped.map((u) => [u.at, {
      took_default: u.tookDefault, default: u.fallback ?? null, count: u.count, distinct: u.distinct, other: u.other, values: u.values,
    }])),
  };
}

/**
 * The human summary: totals, per file when there are several, what the mapping loses, the
 * commonest errors, where the rejects went; with `strict` enforced, last, why it refuses (or not).
 */
export function formatSummary(summary: ValidateSummary, rejects: string | undefined, strict?: { enforced: boolean; reasons: readonly string[] }): string {
  const lines = [
    `${formatCount(summary.rows)} rows: ${formatCount(summary.valid)} valid, ${formatCount(summary.invalid)} invalid, ` +
      `${formatCount(summary.duplicates)} duplicates.`,
  ];
  if (summary.files.length > 1) {
    for (const file of summary.files) {
      lines.push(`  ${file.file}: ${formatCount(file.rows)} rows, ${formatCount(file.valid)} valid, ` +
        `${formatCount(file.invalid)} invalid, ${formatCount(file.duplicates)} duplicates`);
    }
  }
  if (summary.rows === 0) lines.push('The files hold no data rows.');
  const staged = summary.messageFiles;
  if (staged) {
    lines.push(`${formatCount(staged.messages)} messages in the messages files` +
      (staged.unreadable > 0 ? `; ${formatCount(staged.unreadable)} records cannot be read (named above)` : '') + '.');
    if (staged.orphans > 0) {
      lines.push(`${formatCount(staged.orphans)} messages belong to no ticket of these files (first: ${staged.orphanExample ?? '?'}): ` +
        '`run` adds them only to conversations its ledger created earlier.');
    }
  }
  lines.push(...reportLines(summary.report));
  lines.push(...lossLines(summary.losses, 'Not carried as the export holds it (valid rows):', summary.lossExamples));
  if (summary.topErrors.length > 0) {
    lines.push('Most common errors:');
    for (const entry of summary.topErrors) {
      lines.push(`  ${formatCount(entry.count)} × ${entry.error} (first at ${entry.example})`);
    }
  }
  if (summary.invalid + summary.duplicates > 0) {
    lines.push(rejects
      ? `Every row that is not valid is in ${rejects}, with its file, line and errors.`
      : 'Add --rejects rejects.jsonl (or .csv) to get every row that is not valid, with its file, line and errors.');
  }
  if (strict?.enforced) lines.push(strictLine(strict.reasons));
  return lines.join('\n');
}

/** `REAMAZE_IMPORT_THREAD_MIN_BYTES`: from what file size parsing gets a thread of its own (tuning and tests). */
function threadOption(env: Record<string, string | undefined>): { threadMinBytes?: number } {
  const value = Number(env.REAMAZE_IMPORT_THREAD_MIN_BYTES);
  return env.REAMAZE_IMPORT_THREAD_MIN_BYTES !== undefined && Number.isFinite(value) ? { threadMinBytes: value } : {};
}
