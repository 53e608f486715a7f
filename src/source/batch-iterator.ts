import type { SourceRecord } from './types.js';

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * Iterates records that arrive in batches. A record already in hand is one resolved promise, where
 * an async generator takes several turns of the microtask queue for each `yield` (the cost of
 * every record read). `close` runs once, at the end, on an error or when the loop is left early.
 */
export class BatchIterator implements AsyncIterableIterator<SourceRecord> {
  private batch: readonly SourceRecord[];
  private at = 0;
  private finished = false;

  constructor(
    first: readonly SourceRecord[],
    private readonly nextBatch: () => Promise<readonly SourceRecord[] | undefined>,
    private readonly close: () => Promise<void>,
  ) {
    this.batch = first;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<SourceRecord>> {
    if (this.at < this.batch.length) return Promise.resolve({ value: this.batch[this.at++] as SourceRecord, done: false });
    return this.refill();
  }

  async return(): Promise<IteratorResult<SourceRecord>> {
    await this.finish();
    return DONE;
  }

  private async refill(): Promise<IteratorResult<SourceRecord>> {
    try {
      while (!this.finished) {
        const batch = await this.nextBatch();
        if (batch === undefined) break;
        if (batch.length === 0) continue;
        this.batch = batch;
        this.at = 1;
        return { value: batch[0] as SourceRecord, done: false };
      }
    } catch (error) {
      await this.finish();
      throw error;
    }
    await this.finish();
    return DONE;
  }

  private async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.batch = [];
    await this.close();
  }
}
