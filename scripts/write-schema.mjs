// Writes schema/mapping.schema.json from the zod schema of mapping files (run `npm run build` first).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mappingJsonSchema } from '../dist/mapping/schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'schema', 'mapping.schema.json');
await mkdir(dirname(target), { recursive: true });
await writeFile(target, `${JSON.stringify(mappingJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
