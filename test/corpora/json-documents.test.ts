import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SourceFormat } from '../../src/source/types.js';
import { readAll } from '../unit/source/helpers.js';
import { CORPORA } from './corpora-path.js';

const exports = path.join(CORPORA, 'helpdesk-exports');

/** Each file read by extension and as both formats a mapping may declare: the content decides. */
const FORMATS: (SourceFormat | undefined)[] = [undefined, 'json', 'jsonl'];

describe('vendor JSON documents as exported', () => {
  it('reads a Zendesk users envelope (a lookup file) as its users', async () => {
    for (const format of FORMATS) {
      const { source, records } = await readAll(path.join(exports, 'zendesk-api-json-go-zendesk/GET_users.json'), { format });
      expect(source.dialect.format).toBe('json');
      expect(records.length).toBeGreaterThan(0);
      expect(records.every((record) => record.problem === undefined && typeof record.fields['email'] === 'string')).toBe(true);
      expect(records[0]?.line).toBe(3);
      expect(source.columns).toEqual(expect.arrayContaining(['id', 'email', 'photo.url']));
    }
  });

  it('reads a Freshdesk conversations array (a messages file) as its conversations', async () => {
    for (const format of FORMATS) {
      const { records } = await readAll(path.join(exports, 'freshdesk-api-json-python-freshdesk/v2_conversations.json'), { format });
      expect(records.map((record) => [record.line, record.fields['id'], record.fields['ticket_id']])).toEqual([
        [2, 1, 1],
        [20, 2, 1],
      ]);
    }
  });

  it('reads a Help Scout {"item": ...} conversation as that one conversation', async () => {
    for (const format of FORMATS) {
      const { source, records } = await readAll(path.join(exports, 'helpscout-api-v1-json-helpscout-api-java/conversation_10.json'), { format });
      expect(records.map((record) => [record.line, record.fields['id'], record.fields['number']])).toEqual([[2, 10, 123]]);
      expect(Array.isArray(records[0]?.fields['threads'])).toBe(true);
      expect(source.columns).toEqual(expect.arrayContaining(['customer.email', 'mailbox.id', 'threads']));
    }
  });

  it('reads the coding-challenge tickets array, every record on its own line', async () => {
    for (const format of FORMATS) {
      const { records } = await readAll(path.join(exports, 'zendesk-coding-challenge-json/tickets.json'), { format });
      expect(records).toHaveLength(200);
      expect(records.every((record) => record.problem === undefined && typeof record.fields['_id'] === 'string')).toBe(true);
      const lines = records.map((record) => record.line);
      expect(lines.slice(0, 3)).toEqual([2, 25, 48]);
      expect(lines.every((line, i) => i === 0 || line > (lines[i - 1] as number))).toBe(true);
    }
  });
});
