import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ImportError, type ErrorCode } from '../errors.js';
import { openSource } from './index.js';
import type { Source, SourceDialect, SourceOptions, SourceRecord } from './types.js';

/** What the main thread tells a reader: `start` reading, or read one `more` batch ahead. */
export type ToReader = 'start' | 'more';

/** What a reader thread tells the main thread. */
export type FromReader =
  | { kind: 'opened'; dialect: SourceDialect; columns: string[]; columnsComplete: boolean; warnings: string[]; size: number }
  | { kind: 'batch'; records: SourceRecord[]; bytesRead: number }
  | { kind: 'end' }
  | { kind: 'failed'; error: { code?: ErrorCode; message: string; file?: string } };

/** Batches a reader may run ahead of its consumer: bounds memory whatever the file's size. */
const WINDOW = 4;

/** Files smaller than this are read on the main thread: a thread costs more to start than it saves. Default 8 MB. */
export const THREAD_MIN_BYTES = 8 * 1024 * 1024;

// Built as dist/source/read-worker.js; absent when the TypeScript sources run directly (tests).
const WORKER_URL = new URL('./read-worker.js', import.meta.url);

/**
 * Opens a source whose parsing runs on a thread of its own, so that parsing and the per-row work
 * (mapping, validation) use both cores; records arrive in order, at most `WINDOW` batches ahead.
 * Small files, and runs from the TypeScript sources, are read on the calling thread instead.
 */
export async function openSourceThreaded(file: string, options: SourceOptions = {}, minBytes = THREAD_MIN_BYTES): Promise<Source> {
  const size = await stat(file).then((stats) => stats.size, () => 0);
  if (size < minBytes || !existsSync(fileURLToPath(WORKER_URL))) return openSource(file, options);
  const worker = new Worker(WORKER_URL, { workerData: { file, options }, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
  const inbox = new Inbox(worker);
  const opened = await inbox.next();
  if (opened.kind !== 'opened') {
    await worker.terminate();
    throw toError(opened, file);
  }
  return new ThreadedSource(file, opened, worker, inbox);
}

class ThreadedSource implements Source {
  readonly dialect: SourceDialect;
  readonly columns: readonly string[];
  readonly columnsComplete: boolean;
  readonly warnings: readonly string[];
  readonly size: number;
  private read = 0;

  constructor(
    readonly file: string,
    opened: Extract<FromReader, { kind: 'opened' }>,
    private readonly worker: Worker,
    private readonly inbox: Inbox,
  ) {
    ({ dialect: this.dialect, columns: this.columns, columnsComplete: this.columnsComplete, warnings: this.warnings, size: this.size } = opened);
  }

  bytesRead(): number {
    return this.read;
  }

  async *records(): AsyncGenerator<SourceRecord> {
    try {
      this.worker.postMessage('start' satisfies ToReader);
      for (let i = 1; i < WINDOW; i++) this.worker.postMessage('more' satisfies ToReader);
      for (;;) {
        const message = await this.inbox.next();
        if (message.kind === 'end') return;
        if (message.kind !== 'batch') throw toError(message, this.file);
        this.worker.postMessage('more' satisfies ToReader);
        this.read = message.bytesRead;
        yield* message.records;
      }
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** The worker's messages as a queue to await one by one; a crashed worker becomes a message too. */
class Inbox {
  private readonly queue: FromReader[] = [];
  private waiting: ((message: FromReader) => void) | undefined;

  constructor(worker: Worker) {
    worker.on('message', (message: FromReader) => this.deliver(message));
    worker.on('error', (error) => this.deliver({ kind: 'failed', error: { message: error.message } }));
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
