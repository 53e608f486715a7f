import { formatProblem, ImportError } from '../errors.js';
import { FAILURE_STATES, LedgerReader, type FailureRecord, type FailureState } from '../ledger/ledger-reader.js';
import { RowWriter, type ReportFormat, type ReportRow } from '../report/row-writer.js';
import { ExitCode } from './exit-codes.js';
import { outputPath, refuseOverwritingInputs } from './load.js';
import type { CliIO } from './io.js';
import { formatCount, Renderer } from './render.js';

/** The states `failures` writes unless `--state` says otherwise (`pending` rows are only waiting for the next run). */
export const DEFAULT_FAILURE_STATES: readonly FailureState[] = ['rejected', 'failed', 'invalid', 'uncertain', 'duplicate'];

/** `failures --ledger L --out F [--format csv|jsonl] [--state ...]`: every row that did not make it; exit 0 once written. */
export async function runFailures(args: Record<string, unknown>, io: CliIO): Promise<number> {
  const renderer = new Renderer(io);
  const states = parseStates(args.state);
  const ledgerPath = outputPath(String(args.ledger), io.cwd);
  const out = String(args.out);
  refuseOverwritingInputs(out, '--out', [ledgerPath], io.cwd);
  const format = reportFormat(args.format, out);
  const reader = LedgerReader.open(ledgerPath);
  try {
    const written = await writeFailures(reader, states, outputPath(out, io.cwd), format);
    renderer.result(formatWritten(written, states, out));
    return ExitCode.OK;
  } finally {
    reader.close();
  }
}

/** `--state rejected,failed` (or repeated): the states asked for; USAGE naming the valid ones for any other name. */
export function parseStates(value: unknown): FailureState[] {
  if (value === undefined) return [...DEFAULT_FAILURE_STATES];
  const names = [value].flat().flatMap((item) => String(item).split(',')).map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !(FAILURE_STATES as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    const what = unknown.length > 0 ? `--state ${unknown.join(', ')} is not a state of a row that did not make it` : '--state is empty';
    throw new ImportError('USAGE', `${what}: give one or more of ${FAILURE_STATES.join(', ')}, separated by commas.`);
  }
  return [...new Set(names as FailureState[])];
}

/** `--format`, else the extension (`.csv` is CSV), else JSONL. */
function reportFormat(format: unknown, out: string): ReportFormat {
  if (format === 'csv' || format === 'jsonl') return format;
  return out.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl';
}

/** Streams the rows to the file (the reader iterates; the writer buffers a bounded amount) and counts them per state. */
async function writeFailures(reader: LedgerReader, states: readonly FailureState[], path: string, format: ReportFormat): Promise<Map<FailureState, number>> {
  const written = new Map<FailureState, number>(states.map((state) => [state, 0]));
  // CSV needs its columns before the first row: one more (cheap, indexed) pass over the same rows.
  const writer = await RowWriter.open(path, format, format === 'csv' ? reader.fieldNames(states) : []);
  try {
    for (const record of reader.failures(states)) {
      await writer.write(toReportRow(record));
      written.set(record.state, (written.get(record.state) ?? 0) + 1);
    }
  } finally {
    await writer.close();
  }
  return written;
}

function toReportRow(record: FailureRecord): ReportRow {
  const errors = record.problems ? record.problems.map(formatProblem) : record.error ? [record.error] : [];
  return {
    file: record.file,
    line: record.line,
    key: record.key,
    state: record.state,
    http_status: record.httpStatus,
    error: errors[0] ?? '',
    errors,
    ...(record.problems ? { problems: record.problems } : {}),
    fields: record.fields,
  };
}

function formatWritten(written: Map<FailureState, number>, states: readonly FailureState[], out: string): string {
  const total = [...written.values()].reduce((sum, n) => sum + n, 0);
  if (total === 0) return `Wrote 0 rows to ${out}: no row of the ledger is ${states.join(', ')}.`;
  const perState = states.map((state) => `${formatCount(written.get(state) ?? 0)} ${state}`).join(', ');
  return `Wrote ${formatCount(total)} row${total === 1 ? '' : 's'} to ${out}: ${perState}. Fix the rows in the export and run the import again: rejected and invalid rows are sent again once they change.`;
}
