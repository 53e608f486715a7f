import { parentPort, workerData } from 'node:worker_threads';
import { ImportError } from '../errors.js';
import { openSource } from './index.js';
import type { Source, SourceOptions, SourceRecord } from './types.js';
import type { FromReader, ToReader } from './threaded.js';

/** Records a batch at most; large enough that posting costs little per record. */
const BATCH = 1024;

/** Bytes of the file a batch covers at most, so big bodies do not make big batches. */
const BATCH_BYTES = 128 * 1024;

const port = parentPort;
const { file, options, count, recordsAt } = workerData as { file: string; options: SourceOptions; count?: boolean; recordsAt?: Source['recordsAt'] };

/** Credits the main thread has granted: one batch each, so the reader never runs far ahead. */
let credit = 0;
let wake: (() => void) | undefined;
let started: () => void;
const start = new Promise<void>((resolve) => (started = resolve));

port?.on('message', (message: ToReader) => {
  if (message === 'start') started();
  credit += 1;
  wake?.();
});

function post(message: FromReader): void {
  port?.postMessage(message);
}

async function waitForCredit(): Promise<void> {
  while (credit === 0) await new Promise<void>((resolve) => (wake = resolve));
  credit -= 1;
}

/** Counts the records, posting only their number (a progress line's total). */
async function countOnly(): Promise<void> {
  const source = await openSource(file, options);
  let records = 0;
  for await (const _ of source.records()) records += 1;
  post({ kind: 'counted', records });
}

async function read(): Promise<void> {
  // A JSON document was surveyed whole when the main thread opened it: not a second time here
  const source = await openSource(file, options, recordsAt);
  const { dialect, columns, columnsComplete, warnings, size } = source;
  post({ kind: 'opened', dialect, columns: [...columns], columnsComplete, warnings: [...warnings], size });
  await start;
  // A CSV header is every record's fields, in order: its records cross as arrays of cells
  const pack = columnsComplete && !columns.includes('__proto__') ? packer(columns) : undefined;
  const send = (batch: SourceRecord[], bytesRead: number) => post(pack ? { ...pack(batch), bytesRead } : { kind: 'batch', records: batch, bytesRead });
  let batch: SourceRecord[] = [];
  let batchStart = source.bytesRead();
  for await (const record of source.records()) {
    batch.push(record);
    if (batch.length < BATCH && source.bytesRead() - batchStart < BATCH_BYTES) continue;
    await waitForCredit();
    send(batch, source.bytesRead());
    batch = [];
    batchStart = source.bytesRead();
  }
  await waitForCredit();
  send(batch, source.size);
  post({ kind: 'end' });
}

/** Packs records whose fields are exactly `columns` as one array of cells; any other record (one with a problem) goes whole. */
function packer(columns: readonly string[]) {
  return (records: readonly SourceRecord[]) => {
    const cells: string[] = [];
    const places: number[] = [];
    const others: { at: number; record: SourceRecord }[] = [];
    for (const [at, record] of records.entries()) {
      places.push(record.line, record.recordNo);
      if (record.problem) {
        others.push({ at, record });
        continue;
      }
      for (const name of columns) cells.push(record.fields[name] as string);
    }
    return { kind: 'cells' as const, cells, places, others };
  };
}

(count ? countOnly() : read()).catch((error: unknown) => {
  const failure = error instanceof ImportError
    ? { code: error.code, message: error.message, file: error.file }
    : { message: error instanceof Error ? error.message : String(error) };
  post({ kind: 'failed', error: failure });
});
