import { describe, expect, it } from 'vitest';
import { BatchIterator } from '../../../src/source/batch-iterator.js';
import type { SourceRecord } from '../../../src/source/types.js';

const record = (line: number): SourceRecord => ({ file: 'f.csv', line, recordNo: line, fields: {} });

function batches(list: (SourceRecord[] | Error)[]) {
  let closed = 0;
  const queue = [...list];
  const iterator = new BatchIterator([record(1)], async () => {
    const next = queue.shift();
    if (next instanceof Error) throw next;
    return next;
  }, async () => {
    closed += 1;
  });
  return { iterator, closed: () => closed };
}

describe('BatchIterator', () => {
  it('yields every record in order across batches, empty ones too, and closes once at the end', async () => {
    const { iterator, closed } = batches([[record(2), record(3)], [], [record(4)]]);
    const lines: number[] = [];
    for await (const item of iterator) lines.push(item.line);
    expect(lines).toEqual([1, 2, 3, 4]);
    expect(closed()).toBe(1);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(closed()).toBe(1);
  });

  it('closes when the loop is left early', async () => {
    const { iterator, closed } = batches([[record(2), record(3)]]);
    for await (const item of iterator) if (item.line === 2) break;
    expect(closed()).toBe(1);
  });

  it('closes, then throws, when a batch cannot be read', async () => {
    const { iterator, closed } = batches([[record(2)], new Error('the reader thread stopped')]);
    const lines: number[] = [];
    await expect(async () => {
      for await (const item of iterator) lines.push(item.line);
    }).rejects.toThrow('the reader thread stopped');
    expect(lines).toEqual([1, 2]);
    expect(closed()).toBe(1);
  });
});
