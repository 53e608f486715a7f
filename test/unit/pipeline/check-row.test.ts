import { describe, expect, it } from 'vitest';
import { formatProblems } from '../../../src/errors.js';
import { checkRow } from '../../../src/pipeline/check-row.js';
import type { SourceRecord } from '../../../src/source/types.js';
import { KeyIndex } from '../../../src/stage/key-index.js';
import { mappingWith } from '../mapping/helpers.js';

const mapping = mappingWith(
  { user: { email: { from: 'email', required: true } } },
  { source: { key: 'id' }, messages: { from: 'thread', body: '{{text}}', origin_id: '{{id}}', user: { email: '{{from}}' } } },
);
const record = (line: number, fields: Record<string, unknown>): SourceRecord => ({ file: 't.jsonl', line, recordNo: line, fields });

describe('checkRow', () => {
  it('names every problem of a refused row by code and path, at its file, line and key', () => {
    const verdict = checkRow(record(4, { id: 'T1', email: '', thread: [{ id: 'm1', text: 'hi', from: 'bob@' }] }), mapping, undefined, ['t.jsonl'], 0);
    expect(verdict).toEqual({
      state: 'invalid',
      key: 'T1',
      code: 'ROW_INVALID',
      problems: [
        // The payload's `conversation.user.email: required` says it again: left out.
        { code: 'ROW_INVALID', path: 'conversation.user.email', message: 'required, but "email" is empty', file: 't.jsonl', line: 4, key: 'T1' },
        { code: 'ROW_INVALID', path: 'messages[0].user.email', message: 'must be an email address, got "bob@"', file: 't.jsonl', line: 4, key: 'T1' },
      ],
    });
    expect(verdict.state === 'valid' ? '' : formatProblems(verdict.problems)).toBe(
      'conversation.user.email: required, but "email" is empty; messages[0].user.email: must be an email address, got "bob@"',
    );
  });

  it('keeps the code of a record that could not be read, and names a duplicate without a path', () => {
    const broken = { ...record(2, { raw: '{' }), problem: { code: 'ROW_MALFORMED' as const, message: 'is not valid JSON' } };
    expect(checkRow(broken, mapping, undefined, ['t.jsonl'], 0)).toEqual({
      state: 'invalid', key: undefined, code: 'ROW_MALFORMED', problems: [{ code: 'ROW_MALFORMED', message: 'is not valid JSON', file: 't.jsonl', line: 2 }],
    });
    const keys = new KeyIndex();
    try {
      const row = { id: 'T1', email: 'a@b.io', thread: [] };
      expect(checkRow(record(2, row), mapping, keys, ['t.jsonl'], 0).state).toBe('valid');
      expect(checkRow(record(3, row), mapping, keys, ['t.jsonl'], 0)).toEqual({
        state: 'duplicate', key: 'T1', code: 'ROW_DUPLICATE', problems: [{ code: 'ROW_DUPLICATE', message: 'duplicate key "T1": first seen at t.jsonl:2', file: 't.jsonl', line: 3, key: 'T1' }],
      });
    } finally {
      keys.close();
    }
  });
});
