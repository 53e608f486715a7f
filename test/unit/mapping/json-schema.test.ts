import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { mappingJsonSchema } from '../../../src/mapping/schema.js';

const committed = new URL('../../../schema/mapping.schema.json', import.meta.url);

describe('schema/mapping.schema.json', () => {
  it('is the JSON Schema generated from the zod schema (run `npm run build && npm run schema` when this fails)', async () => {
    const text = await readFile(committed, 'utf8').catch(() => 'missing');
    expect(text).toBe(`${JSON.stringify(mappingJsonSchema(), null, 2)}\n`);
  });

  it('describes leaves once, in $defs', () => {
    const schema = mappingJsonSchema() as { $defs?: Record<string, unknown> };
    expect(Object.keys(schema.$defs ?? {}).sort()).toEqual(['CustomFields', 'Leaf', 'Rule', 'Transform']);
  });
});
