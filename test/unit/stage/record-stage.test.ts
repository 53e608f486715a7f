import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { joinKey } from '../../../src/ledger/join-key.js';
import { RecordStage } from '../../../src/stage/record-stage.js';
import { tempDir } from '../../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

describe('RecordStage (messages by ticket, lookup records by key)', () => {
  it('joins by the ticket key as text, trimmed, with a whole decimal read as the integer', () => {
    expect(['7', ' 7 ', '7.0', '7.00', '-3.0', '7.5', 'A-7', '07'].map(joinKey)).toEqual(['7', '7', '7', '7', '-3', '7.5', 'A-7', '07']);
  });

  it('stages every message by ticket, in file order, names the records it cannot read, and counts orphans', async () => {
    const file = join(dir, 'comments.csv');
    await writeFile(file, 'id,ticket_id,body\n1,7,first\n2,8,other\n3, 7 ,second\n4,,no ticket\n5,7.0,third\n6,9,"unclosed\n');
    const seen: string[] = [];
    const stage = await RecordStage.load([file], { on: 'ticket_id', source: {} }, (staged) => seen.push(...staged.columns));
    try {
      expect(seen).toEqual(['id', 'ticket_id', 'body']);
      expect(stage.count).toBe(4);
      expect(stage.messagesOf('7').map((fields) => fields.body)).toEqual(['first', 'second', 'third']);
      expect(stage.problemCount).toBe(2);
      expect(stage.problems[0]).toEqual({ file, line: 5, message: 'messages.join.on: the key (ticket_id) is empty' });
      expect(stage.problems[1]).toMatchObject({ file, line: 7 });
      expect(stage.unaskedTickets('', 10)).toEqual(['8']);
      expect(stage.orphans([file])).toEqual({ count: 1, example: `${file}:3 (ticket "8")` });
      expect(stage.messagesOf('404')).toEqual([]);
    } finally {
      stage.close();
    }
  });
});
