import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from '../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

describe('init', () => {
  it.each([
    ['zendesk-tickets.csv', 'zendesk-csv'],
    ['freshdesk-tickets.csv', 'freshdesk-csv'],
    ['osticket-tickets.csv', 'osticket-csv'],
  ])('recognises %s as the %s layout and uses its preset', async (fixture, preset) => {
    const out = join(dir, 'mapping.json');
    const result = await runCli(['init', join(REPO, 'fixtures', fixture), '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`using the ${preset} preset`);
    const written = JSON.parse(await readFile(out, 'utf8'));
    const presetSpec = JSON.parse(await readFile(join(REPO, 'mappings', `${preset}.json`), 'utf8'));
    expect(written.conversation).toEqual(presetSpec.conversation);
  });

  it('guesses a usable mapping for an unknown layout and says what it mapped and left out', async () => {
    const file = join(dir, 'export.csv');
    await writeFile(file, 'Case No;Title;Question;Customer E-mail;State;Agent Notes\n7;Hi;Help me;A@Example.com;Waiting;x\n8;Yo;Help;b@example.com;Closed;y\n');
    const out = join(dir, 'mapping.json');
    const init = await runCli(['init', file, '--out', out]);
    expect(init.code).toBe(0);
    expect(init.stderr).toContain('source.key ← Case No');
    expect(init.stderr).toContain('conversation.user.email ← Customer E-mail');
    expect(init.stderr).toMatch(/Left out \(they hold values[^)]*\): Agent Notes \(2 rows\)\./);
    const mapping = JSON.parse(await readFile(out, 'utf8'));
    expect(mapping.source).toMatchObject({ key: 'Case No', delimiter: ';' });
    expect(mapping.conversation.status.map).toEqual({ waiting: 1, closed: 2 });
    const validate = await runCli(['validate', file, '--mapping', out, '--json']);
    expect(JSON.parse(validate.stdout)).toMatchObject({ rows: 2, valid: 2 });
  });

  it('finds the e-mail column by its values and the HTML in bodies', async () => {
    const file = join(dir, 'export.jsonl');
    const lines = [1, 2].map((id) => JSON.stringify({ id, subject: `S${id}`, body_html: `<p>Hello <b>${id}</b></p>`, contact: { ref: `c${id}@example.com` } }));
    await writeFile(file, `${lines.join('\n')}\n`);
    const out = join(dir, 'mapping.json');
    const init = await runCli(['init', file, '--out', out]);
    expect(init.code).toBe(0);
    const mapping = JSON.parse(await readFile(out, 'utf8'));
    expect(mapping.conversation.user.email.from).toBe('contact.ref');
    expect(mapping.conversation.message.body.transform).toEqual(['html-to-markdown']);
  });

  it('does not overwrite an existing mapping without --force', async () => {
    const out = join(dir, 'mapping.json');
    await writeFile(out, '{}');
    const result = await runCli(['init', join(REPO, 'fixtures/generic-tickets.csv'), '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('already exists');
    expect(await readFile(out, 'utf8')).toBe('{}');
  });
});

describe('preview', () => {
  it('prints the first payloads exactly as they would be posted, with safe defaults', async () => {
    const result = await runCli(['preview', join(REPO, 'fixtures/generic-tickets.csv'), '--mapping', 'generic-csv', '-n', '2', '--json']);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout);
    expect(rows).toHaveLength(2);
    expect(rows[0].body).toEqual({
      conversation: {
        subject: 'Where is my parcel?',
        category: 'support',
        tag_list: ['shipping', 'parcel'],
        status: 0,
        data: { legacy_id: 'T-1', legacy_status: 'open', legacy_created_at: '2024-05-01T10:00:00.000Z', import_key: 'T-1' },
        message: {
          body: 'Ordered on the 3rd, nothing yet.',
          suppress_notification: true,
          suppress_notifications: true,
          suppress_autoresolve: true,
        },
        user: { name: 'Ann Example', email: 'ann@example.com' },
      },
    });
  });

  it('shows why a row would not be sent', async () => {
    const result = await runCli(['preview', join(REPO, 'fixtures/generic-tickets.csv'), '--mapping', 'generic-csv', '-n', '4']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('POST /conversations');
    expect(result.stdout).toMatch(/fixtures\/generic-tickets\.csv:6 \(key T-4\)[\s\S]*Not sent, because:\n {2}- conversation\.message\.body/);
  });
});
