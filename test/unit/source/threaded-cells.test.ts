import { describe, expect, it } from 'vitest';
import { unpackCells } from '../../../src/source/threaded.js';

describe('unpackCells', () => {
  it('rebuilds the records in order, fields in header order, a record with a problem as it came', () => {
    const broken = { file: 'a.csv', line: 4, recordNo: 2, fields: { raw: 'x,"y' }, problem: { code: 'ROW_MALFORMED' as const, message: 'is not valid CSV' } };
    const records = unpackCells({ cells: ['1', 'a', '3', ''], places: [2, 1, 4, 2, 6, 3], others: [{ at: 1, record: broken }] }, 'a.csv', ['id', 'body']);
    expect(records).toEqual([
      { file: 'a.csv', line: 2, recordNo: 1, fields: { id: '1', body: 'a' } },
      broken,
      { file: 'a.csv', line: 6, recordNo: 3, fields: { id: '3', body: '' } },
    ]);
    expect(Object.keys(records[2]!.fields)).toEqual(['id', 'body']);
  });
});
