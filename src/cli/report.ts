import { writeFile } from 'node:fs/promises';
import { describeErrno, ImportError } from '../errors.js';
import { LedgerReader } from '../ledger/ledger-reader.js';
import { renderReportPage } from '../report/html-page.js';
import { readReportData } from '../report/report-data.js';
import { ExitCode } from './exit-codes.js';
import { outputPath, refuseOverwritingInputs } from './load.js';
import type { CliIO } from './io.js';
import { formatCount, Renderer } from './render.js';

/** `report --ledger L --out F`: one self-contained HTML page of the import; exit 0 once written. */
export async function runReport(args: Record<string, unknown>, io: CliIO): Promise<number> {
  const renderer = new Renderer(io);
  const ledgerPath = outputPath(String(args.ledger), io.cwd);
  const out = String(args.out);
  refuseOverwritingInputs(out, '--out', [ledgerPath, `${ledgerPath}-wal`, `${ledgerPath}-shm`], io.cwd);
  // No lock: a run may hold the ledger; one read snapshot makes the page consistent.
  const reader = LedgerReader.open(ledgerPath);
  let page: string;
  let done: number;
  try {
    const data = readReportData(reader);
    page = renderReportPage(data);
    done = data.counts.done;
  } finally {
    reader.close();
  }
  try {
    await writeFile(outputPath(out, io.cwd), page);
  } catch (error) {
    throw new ImportError('OUTPUT_UNWRITABLE', `Cannot write the report ${out}: ${describeErrno(error, { writing: true })}.`, { cause: error });
  }
  renderer.result(`Wrote the report to ${out} (${formatCount(Math.ceil(Buffer.byteLength(page) / 1024))} KB, ${formatCount(done)} conversations done): open it in a browser, or print it.`);
  return ExitCode.OK;
}
