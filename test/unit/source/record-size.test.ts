import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, readAll, type TempDir } from './helpers.js';

let temp: TempDir;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.remove();
});

/** `[line, problem message or the fields' id]` of every record. */
function outline(records: readonly { line: number; fields: Record<string, unknown>; problem?: { message: string } }[]): [number, unknown][] {
  return records.map((record) => [record.line, record.problem?.message ?? record.fields.id]);
}

/** A record whose body is `size` characters. */
const big = (id: number, size: number) => JSON.stringify({ id, body: 'x'.repeat(size) });

const OVER = (size: number) => `the record is ${size.toLocaleString('en-US')} characters long, over the 200,000 characters one record may take: shorten or split it in the export, or leave it out`;

describe('a record over the size limit', () => {
  it('is one broken JSONL row naming its line, within a chunk or across many; the next lines are read', async () => {
    const lines = [big(1, 10), big(2, 250_000), big(3, 10), '', big(4, 199_000), big(5, 1_000_000), big(6, 10)];
    const file = await temp.write('t.jsonl', `${lines.join('\r\n')}\n`);
    const { records } = await readAll(file, { maxRecordSize: 200_000 });
    expect(outline(records)).toEqual([[1, 1], [2, OVER(250_018)], [3, 3], [5, 4], [6, OVER(1_000_018)], [7, 6]]);
    // What the user sees of it: its beginning, never the whole text
    const raw = String(records[1]?.fields.raw);
    expect([raw.length, raw.slice(0, 20), raw.slice(-3)]).toEqual([64 * 1024 + 1, '{"id":2,"body":"xxxx', 'xx…']);
  });

  it('is counted up to a lone CR (old Mac line ends) and at the end of a file without a last line break', async () => {
    const file = await temp.write('t.jsonl', `${big(1, 10)}\r${big(2, 300_000)}\r${big(3, 10)}\r${big(4, 300_000)}`);
    const { records } = await readAll(file, { maxRecordSize: 200_000 });
    expect(outline(records)).toEqual([[1, 1], [2, OVER(300_018)], [3, 3], [4, OVER(300_018)]]);
  });

  it('is one broken element of a JSON document naming the line it starts on', async () => {
    const file = await temp.write('t.json', `[\n${big(1, 10)},\n${big(2, 250_000)},\n${big(3, 10)}\n]\n`);
    const { records } = await readAll(file, { maxRecordSize: 200_000 });
    expect(outline(records)).toEqual([[2, 1], [3, OVER(250_018)], [4, 3]]);
  });
});
