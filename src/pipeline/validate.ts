import type { AuthorDirectory } from '../mapping/authors.js';
import { sortedLossCounts, type Loss, type LossCounts, type LossKind } from '../mapping/losses.js';
import type { CompiledMapping } from '../mapping/types.js';
import { RowWriter, type ReportFormat, type ReportRow } from '../report/row-writer.js';
import type { SourceRecord } from '../source/types.js';
import { errorKind, formatProblem, withoutPlace, type RowProblem } from '../errors.js';
import { checkRow, type RowVerdict } from './check-row.js';
import { KeyIndex } from '../stage/key-index.js';
import { openSources, type OpenedSources } from './open-sources.js';
import { PROGRESS_EVERY_ROWS, type ProgressListener } from './progress.js';
import { FieldCounter } from '../mapping/coverage.js';
import { buildLossReport, type LossReport } from './loss-report.js';

/** What `validate` needs. */
export interface ValidateOptions {
  files: readonly string[];
  mapping: CompiledMapping;
  /** Where rows that are not valid are written; default: nowhere. */
  rejects?: { path: string; format: ReportFormat };
  onProgress?: ProgressListener;
  /** Told before any row is read: renamed headers, paths missing from JSON samples. */
  onWarning?: (text: string) => void;
  /** Files at least this big are parsed on a thread of their own. Default `THREAD_MIN_BYTES` (8 MB). */
  threadMinBytes?: number;
  /** Messages files of a relational export (`messages.join`). */
  messages?: readonly string[];
  /** The file of each lookup the mapping declares (`--lookup name=file`). */
  lookups?: Readonly<Record<string, string>>;
  /** How many distinct error kinds the summary lists. Default 5. */
  topErrors?: number;
  /** The staff map and policy authors are resolved with (no staff list offline: agents unchecked). */
  authors?: AuthorDirectory;
}

/** Counts for one file or for all of them; `rows = valid + invalid + duplicates`. */
export interface ValidateCounts {
  rows: number;
  valid: number;
  invalid: number;
  duplicates: number;
}

/** An error kind and how many rows had it, with the first place it was seen. */
export interface ErrorCount {
  error: string;
  count: number;
  example: string;
}

/** The result of `validate`. */
export interface ValidateSummary extends ValidateCounts {
  files: (ValidateCounts & { file: string })[];
  topErrors: ErrorCount[];
  /** What the valid rows could not carry as the export holds it, by kind, with the first place seen. */
  losses: LossCounts;
  lossExamples: Partial<Record<LossKind, string>>;
  /** Relational exports: message records that cannot be read, and messages of tickets not in the files. */
  messageFiles?: { messages: number; unreadable: number; orphans: number; orphanExample: string | undefined };
  /** Source fields unused or ignored, what each leaf gave, values no map covers: over every record read. */
  report: LossReport;
}

/** Reads, maps and validates every row of every file; sends nothing. */
export async function validateFiles(options: ValidateOptions): Promise<ValidateSummary> {
  const messageFields = new FieldCounter();
  const opened = await openSources(options.files, options.mapping, {
    ...options, messages: options.messages ?? [], lookups: options.lookups ?? {}, onMessageRecord: (fields) => messageFields.add(fields),
  });
  opened.warnings.forEach((warning) => options.onWarning?.(warning));
  const run: Checking = { options, opened, keys: new KeyIndex(), errors: new Map(), total: { rows: 0, valid: 0, invalid: 0, duplicates: 0 }, rejects: undefined, losses: {}, lossExamples: {}, fields: new FieldCounter() };
  let perFile: ValidateSummary['files'] = [];
  let messageFiles: ValidateSummary['messageFiles'];
  try {
    // JSON records are nested: a CSV rejects file gets one column per top-level field.
    const columns = opened.sources.flatMap((source) => (source.columnsComplete ? source.columns : source.columns.map((path) => path.split('.')[0] ?? path)));
    if (options.rejects) run.rejects = await RowWriter.open(options.rejects.path, options.rejects.format, columns);
    perFile = await checkFiles(run);
    await run.rejects?.close();
    if (opened.stage) {
      const orphans = opened.stage.orphans(options.messages ?? []);
      messageFiles = { messages: opened.stage.count, unreadable: opened.stage.problemCount, orphans: orphans.count, orphanExample: orphans.example };
    }
  } finally {
    run.keys.close();
    await opened.close();
    await run.rejects?.close().catch(() => undefined);
  }
  const topErrors = [...run.errors.values()].sort((a, b) => b.count - a.count).slice(0, options.topErrors ?? 5);
  const report = buildLossReport(run.fields, options.mapping, opened.stage ? messageFields : undefined);
  return { ...run.total, files: perFile, topErrors, losses: sortedLossCounts(run.losses), lossExamples: run.lossExamples, ...(messageFiles ? { messageFiles } : {}), report };
}

/** One `validate`: what it reads, and what it has found so far. */
interface Checking {
  options: ValidateOptions;
  opened: OpenedSources;
  keys: KeyIndex;
  errors: Map<string, ErrorCount>;
  total: ValidateCounts;
  rejects: RowWriter | undefined;
  losses: LossCounts;
  lossExamples: Partial<Record<LossKind, string>>;
  /** How many records hold a value at each source field. */
  fields: FieldCounter;
}

/** Checks every record of every file, writing the rows that are not valid; the counts of each file. */
async function checkFiles(run: Checking): Promise<ValidateSummary['files']> {
  const { options, opened, total } = run;
  const perFile: ValidateSummary['files'] = [];
  const report = () => {
    const bytesRead = opened.sources.reduce((sum, source) => sum + source.bytesRead(), 0);
    options.onProgress?.({ bytesRead, totalBytes: opened.totalBytes, rows: total.rows, counts: { valid: total.valid, invalid: total.invalid, duplicates: total.duplicates } });
  };
  for (const [fileIndex, source] of opened.sources.entries()) {
    const counts: ValidateCounts = { rows: 0, valid: 0, invalid: 0, duplicates: 0 };
    for await (const record of source.records()) {
      // A record that cannot be read holds only its raw text, which is no field of the export.
      if (!record.problem) run.fields.add(record.fields);
      const verdict = checkRow(record, options.mapping, run.keys, options.files, fileIndex, opened.threadOf(record), options.authors, { bodies: false });
      count(verdict, counts);
      count(verdict, total);
      if (verdict.state === 'valid') tallyLosses(run, verdict.losses, record);
      else {
        tallyErrors(run.errors, verdict.problems, record);
        await run.rejects?.write(toReportRow(record, verdict));
      }
      if (total.rows % PROGRESS_EVERY_ROWS === 0) report();
    }
    perFile.push({ file: source.file, ...counts });
  }
  report();
  return perFile;
}

function count(verdict: RowVerdict, counts: ValidateCounts): void {
  counts.rows += 1;
  if (verdict.state === 'valid') counts.valid += 1;
  else if (verdict.state === 'duplicate') counts.duplicates += 1;
  else counts.invalid += 1;
}

/** Counts a valid row's losses, keeping the first place each kind was seen (`file:line messages[2].user`). */
function tallyLosses(run: Checking, losses: readonly Loss[], record: SourceRecord): void {
  for (const loss of losses) {
    run.losses[loss.kind] = (run.losses[loss.kind] ?? 0) + 1;
    run.lossExamples[loss.kind] ??= `${record.file}:${record.line} ${loss.path}${loss.detail ? ` (${loss.detail})` : ''}`;
  }
}

function tallyErrors(errors: Map<string, ErrorCount>, problems: readonly RowProblem[], record: SourceRecord): void {
  for (const problem of problems) {
    const message = formatProblem(problem);
    const kind = errorKind(message);
    const entry = errors.get(kind);
    if (entry) entry.count += 1;
    else errors.set(kind, { error: message, count: 1, example: `${record.file}:${record.line}` });
  }
}

function toReportRow(record: SourceRecord, verdict: Exclude<RowVerdict, { state: 'valid' }>): ReportRow {
  const errors = verdict.problems.map(formatProblem);
  return {
    file: record.file,
    line: record.line,
    key: verdict.key ?? null,
    state: verdict.state,
    http_status: null,
    error: errors[0] ?? '',
    errors,
    // The row's own file, line and key are above: each problem keeps its code and path.
    problems: verdict.problems.map(withoutPlace),
    fields: record.fields,
  };
}
