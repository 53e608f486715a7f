import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ImportError, type ErrorCode } from '../errors.js';
import { BatchIterator } from './batch-iterator.js';
import { openSource } from './index.js';
import type { Source, SourceDialect, SourceOptions, SourceRecord } from './types.js';

/** What the main thread tells a reader: `start` reading, or read one `more` batch ahead. */
export type ToReader = 'start' | 'more';

/** What a reader thread tells the main thread. */
export type FromReader =
  | { kind: 'opened'; dialect: SourceDialect; columns: string[]; columnsComplete: boolean; warnings: string[]; size: number }
  | { kind: 'batch'; records: SourceRecord[]; bytesRead: number }
  /** CSV records packed: their cells in header order, `places` their (line, recordNo) pairs; records with a problem whole, at their index. */
  | { kind: 'cells'; cells: string[]; places: number[]; others: { at: number; record: SourceRecord }[]; bytesRead: number }
  | { kind: 'end' }
  /** A counting reader's answer: the file's records. */
  | { kind: 'counted'; records: number }
  | { kind: 'failed'; error: { code?: ErrorCode; message: string; file?: string } };

/** Batches (of at most 1,024 records or 128 KB of file) a reader may run ahead of its consumer: two keep both threads busy, more only hold memory. */
const WINDOW = 2;

/** Files smaller than this are read on the main thread: a thread costs more to start than it saves. Default 8 MB. */
export const THREAD_MIN_BYTES = 8 * 1024 * 1024;

// Built as dist/source/read-worker.js; absent when the TypeScript sources run directly (tests).
const WORKER_URL = new URL('./read-worker.js', import.meta.url);

/**
 * Opens a source whose parsing runs on a thread of its own, so that parsing and the per-row work
 * (mapping, validation) use both cores; records arrive in order, at most `WINDOW` batches ahead.
 * The header is read here at once (so a bad file or column stops the command before any row);
 * the thread starts only when the records are read, so many files never mean many threads.
 * Small files, and runs from the TypeScript sources, are read on the calling thread instead.
 */
export async function openSourceThreaded(file: string, options: SourceOptions = {}, minBytes = THREAD_MIN_BYTES): Promise<Source> {
  const source = await openSource(file, options);
  if (source.size < minBytes || !existsSync(fileURLToPath(WORKER_URL))) return source;
  await source.close();
  return new ThreadedSource(source, options);
}

/**
 * Counts a file's records on a thread of its own (on this one when the built worker is absent,
 * as when the TypeScript sources run): the total `run`'s progress line sends against. Undefined
 * when the file cannot be read to the end: the count is a hint, the run reports the file itself.
 */
export async function countRecords(file: string, options: SourceOptions = {}, signal?: AbortSignal): Promise<number | undefined> {
  if (!existsSync(fileURLToPath(WORKER_URL))) return countHere(file, options, signal);
  const worker = new Worker(WORKER_URL, { workerData: { file, options, count: true }, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
  try {
    return await new Promise<number | undefined>((resolve) => {
      signal?.addEventListener('abort', () => resolve(undefined), { once: true });
      worker.on('message', (message: FromReader) => {
        if (message.kind === 'counted') resolve(message.records);
        else if (message.kind === 'failed') resolve(undefined);
      });
      worker.on('error', () => resolve(undefined));
      worker.on('exit', () => resolve(undefined));
    });
  } finally {
    await worker.terminate();
  }
}

async function countHere(file: string, options: SourceOptions, signal?: AbortSignal): Promise<number | undefined> {
  try {
    const source = await openSource(file, options);
    let records = 0;
    try {
      for await (const _ of source.records()) {
        records += 1;
        if (signal?.aborted) return undefined;
      }
    } finally {
      await source.close();
    }
    return records;
  } catch {
    return undefined;
  }
}

class ThreadedSource implements Source {
  readonly file: string;
  readonly dialect: SourceDialect;
  readonly columns: readonly string[];
  readonly columnsComplete: boolean;
  readonly warnings: readonly string[];
  readonly size: number;
  readonly recordsAt: Source['recordsAt'];
  private read = 0;
  private worker: Worker | undefined;
  private inbox: Inbox | undefined;
  private started = false;

  constructor(header: Source, private readonly options: SourceOptions) {
    ({ file: this.file, dialect: this.dialect, columns: this.columns, columnsComplete: this.columnsComplete, warnings: this.warnings, size: this.size, recordsAt: this.recordsAt } = header);
  }

  bytesRead(): number {
    return this.read;
  }

  records(): AsyncIterable<SourceRecord> {
    if (this.started) throw new Error(`records() of ${this.file} can be iterated only once`);
    this.started = true;
    return new BatchIterator([], () => this.nextBatch(), () => this.close());
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }

  /** The next batch from the reader thread (started at the first), or undefined at the end. */
  private async nextBatch(): Promise<SourceRecord[] | undefined> {
    const inbox = this.inbox ?? (await this.start());
    const message = await inbox.next();
    if (message.kind === 'end') return undefined;
    if (message.kind !== 'batch' && message.kind !== 'cells') throw toError(message, this.file);
    this.worker?.postMessage('more' satisfies ToReader);
    this.read = message.bytesRead;
    return message.kind === 'batch' ? message.records : unpackCells(message, this.file, this.columns);
  }

  private async start(): Promise<Inbox> {
    const worker = new Worker(WORKER_URL, { workerData: { file: this.file, options: this.options, recordsAt: this.recordsAt }, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    this.worker = worker;
    const inbox = new Inbox(worker);
    this.inbox = inbox;
    const opened = await inbox.next();
    if (opened.kind !== 'opened') throw toError(opened, this.file);
    worker.postMessage('start' satisfies ToReader);
    for (let i = 1; i < WINDOW; i++) worker.postMessage('more' satisfies ToReader);
    return inbox;
  }
}

/**
 * The records of a packed batch, fields in header order as the reader built them. An array of
 * strings costs far less to clone across threads than as many objects of the same strings.
 */
export function unpackCells(batch: { cells: readonly string[]; places: readonly number[]; others: readonly { at: number; record: SourceRecord }[] }, file: string, columns: readonly string[]): SourceRecord[] {
  const { cells, places, others } = batch;
  const records: SourceRecord[] = [];
  const width = columns.length;
  let other = 0;
  let cell = 0;
  for (let at = 0; at < places.length / 2; at++) {
    const next = others[other];
    if (next !== undefined && next.at === at) {
      records.push(next.record);
      other++;
      continue;
    }
    const fields: Record<string, unknown> = {};
    for (let i = 0; i < width; i++) fields[columns[i] as string] = cells[cell++];
    records.push({ file, line: places[2 * at] as number, recordNo: places[2 * at + 1] as number, fields });
  }
  return records;
}

/** The worker's messages as a queue to await one by one; a crashed or exited worker becomes a message too. */
class Inbox {
  private readonly queue: FromReader[] = [];
  private waiting: ((message: FromReader) => void) | undefined;

  constructor(worker: Worker) {
    worker.on('message', (message: FromReader) => this.deliver(message));
    worker.on('error', (error) => this.deliver({ kind: 'failed', error: { message: error.message } }));
    // An exit is the last word: whoever still waits learns the reader is gone instead of hanging.
    worker.on('exit', (code) => this.deliver({ kind: 'failed', error: { message: `the reader thread stopped (exit code ${code})` } }));
  }

  next(): Promise<FromReader> {
    const message = this.queue.shift();
    if (message) return Promise.resolve(message);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  private deliver(message: FromReader): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(message);
    else this.queue.push(message);
  }
}

function toError(message: FromReader, file: string): Error {
  if (message.kind !== 'failed') return new Error(`the reader of ${file} answered out of turn`);
  const { code, message: text } = message.error;
  return code ? new ImportError(code, text, { file: message.error.file ?? file }) : new Error(`reading ${file} failed: ${text}`);
}
