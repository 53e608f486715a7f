import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMapping, parseMapping, parseMappingText } from '../../../src/mapping/compile.js';

const VALID = { source: { key: 'Ticket ID' }, conversation: { category: 'c', message: { body: 'b' }, user: { email: 'e@x.io' } } };

/** The message of the error a mapping throws. */
function problemsOf(json: unknown): string {
  try {
    parseMapping(json, 'm.json');
  } catch (error) {
    return `${(error as { code: string }).code}: ${(error as Error).message}`;
  }
  return 'no error';
}

describe('mapping errors', () => {
  it('lists every problem with its JSON path', () => {
    const json = {
      conversation: {
        subjct: '{{Subject}}',
        category: ['support'],
        status: { from: 'Status', map: 3, transform: ['trm', { truncat: 5 }, 'truncate', { truncate: 0 }] },
        data: { created: { from: 'Created', transform: [{ date: 'DD/MM' }, { date: { timezone: 'Mars/Base' } }] } },
        message: { body: '{{Description' },
        user: { email: { form: 'Email' } },
      },
      messages: { body: '{{}}' },
    };
    expect(problemsOf(json)).toMatchInlineSnapshot(`
      "MAPPING_INVALID: the mapping is invalid: 13 problems (m.json)
        conversation.category: expected a literal (string, number, boolean), a "{{template}}" or a rule {"from": ...}
        conversation.status.transform[0]: unknown transform "trm" (did you mean "trim"?)
        conversation.status.transform[1]: unknown transform "truncat" (did you mean "truncate"?)
        conversation.status.transform[2]: transform "truncate" needs a length: {"truncate": 5000}
        conversation.status.transform[3].truncate: must be a positive integer
        conversation.status.map: expected an object
        conversation.data.created.transform[0].date: date format "DD/MM" needs YYYY, MM (or M) and DD (or D)
        conversation.data.created.transform[1].date: unknown timezone "Mars/Base" (use an offset like "+05:30" or a name like "Europe/Paris")
        conversation.message.body: "{{" without a closing "}}" in "{{Description"
        conversation.user.email.from: required
        conversation.user.email: unknown property "form" (did you mean "from"?)
        conversation: unknown property "subjct" (did you mean "subject"?)
        messages.body: no field name between "{{" and "}}" in "{{}}""
    `);
  });

  it('reports missing sections and bad source options', () => {
    expect(problemsOf({ source: { delimiter: ';;', encoding: 'klingon', key_field: 'a b', formt: 'csv' } }))
      .toMatchInlineSnapshot(`
        "MAPPING_INVALID: the mapping is invalid: 5 problems (m.json)
          source.delimiter: must be one character
          source.encoding: unknown encoding "klingon"
          source.key_field: must be letters, digits, "_" or "-"
          source: unknown property "formt" (did you mean "format"?)
          conversation: required"
      `);
    expect(problemsOf([])).toMatchInlineSnapshot(`"MAPPING_INVALID: the mapping is invalid: 1 problem (m.json)
  (top level): expected an object"`);
  });

  it('refuses a data field that would hold the row key', () => {
    const json = { conversation: { category: 'c', data: { import_key: '{{id}}' }, message: { body: 'b' }, user: { email: 'e@x.io' } } };
    expect(problemsOf(json)).toMatchInlineSnapshot(`
      "MAPPING_INVALID: the mapping is invalid: 1 problem (m.json)
        conversation.data.import_key: this field holds the row key (source.key_field); name it differently or change source.key_field"
    `);
  });
});

describe('loadMapping', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mapping-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file, BOM included', async () => {
    const path = join(dir, 'ok.json');
    await writeFile(path, `\uFEFF${JSON.stringify(VALID)}`);
    await expect(loadMapping(path)).resolves.toMatchObject({ source: { key: 'Ticket ID' } });
  });

  it('names a missing file', async () => {
    const path = join(dir, 'missing.json');
    await expect(loadMapping(path)).rejects.toMatchObject({
      code: 'MAPPING_UNREADABLE',
      message: `cannot read the mapping: no such file (${path})`,
    });
  });

  it('names the line and column of a JSON syntax error', () => {
    let error: unknown;
    try {
      parseMappingText('{\n  "conversation": {\n    "category": "x",\n  }\n}', 'broken.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'MAPPING_UNREADABLE', file: 'broken.json' });
    expect((error as Error).message).toMatch(/^the mapping is not valid JSON: .* at line 4, column 3 \(broken\.json\)$/);
  });
});

