import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from '../helpers/cli.js';
import { CORPORA } from './corpora-path.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

describe('init', () => {
  it('writes a mapping with a placeholder and exits 1 when no column holds e-mail addresses', async () => {
    const file = join(CORPORA, 'helpdesk-exports/zendesk-csv-export-plum/DA_Assignment.sample.csv');
    const out = join(dir, 'mapping.json');
    const init = await runCli(['init', file, '--out', out]);
    expect(init.code).toBe(1);
    expect(init.stderr).toContain('Recognised a zendesk-csv export');
    expect(init.stderr).toMatch(/To do: conversation\.user\.email: no column looks like the customer's e-mail/);
    const validate = await runCli(['validate', file, '--mapping', out]);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain('conversation.user.email.from');
  });
});

describe('init on JSON thread exports', () => {
  const exportsDir = join(CORPORA, 'helpdesk-exports');
  const readJson = async (path: string) => JSON.parse(await readFile(join(exportsDir, path), 'utf8')) as Record<string, unknown>;

  it('recognises Zendesk, Help Scout and Freshdesk tickets with their threads and uses their presets', async () => {
    const zendesk = { ...((await readJson('zendesk-api-json-go-zendesk/GET_ticket.json')).ticket as object), comments: (await readJson('zendesk-api-json-go-zendesk/GET_ticket_comments.json')).comments };
    const helpscout = (await readJson('helpscout-api-v1-json-helpscout-api-java/conversation_10.json')).item;
    const freshdesk = { ...(await readJson('freshdesk-api-json-python-freshdesk/v2_ticket_1.json')), conversations: await readJson('freshdesk-api-json-python-freshdesk/v2_conversations.json') };
    for (const [name, record] of [['zendesk-json', zendesk], ['helpscout-json', helpscout], ['freshdesk-json', freshdesk]] as const) {
      const file = join(dir, `${name}.jsonl`);
      await writeFile(file, `${JSON.stringify(record)}\n`);
      const result = await runCli(['init', file]);
      expect(result.stderr).toContain(`Recognised a ${name} export: using the ${name} preset.`);
      const { $schema: _schema, ...preset } = JSON.parse(await readFile(join(REPO, 'mappings', `${name}.json`), 'utf8')) as Record<string, unknown>;
      expect(JSON.parse(result.stdout)).toMatchObject(preset);
    }
  });
});
