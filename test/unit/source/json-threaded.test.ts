import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, readAll, repoRoot, type TempDir } from './helpers.js';

let temp: TempDir;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.remove();
});

describe('JSON documents on the reader thread', () => {
  it('reads the same records on a thread of its own as on the calling thread', async () => {
    const tickets = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ id: i, body: `line ${i} [{"x"}]`, tags: ['a'] }, null, 1));
    tickets[7] = '{"id": 7,}';
    const file = await temp.write('export.json', `{"count": 3000,\n "tickets": [\n${tickets.join(',\n')}\n], "next_page": null}\n`);
    // The worker runs only from the build: load the built module, as the binary does
    const built = (await import(pathToFileURL(path.join(repoRoot, 'dist/source/threaded.js')).href)) as typeof import('../../../src/source/threaded.js');
    const source = await built.openSourceThreaded(file, { format: 'jsonl' }, 0);
    expect(source.constructor.name).toBe('ThreadedSource');
    expect(source.dialect.format).toBe('json');
    const threaded = [];
    for await (const record of source.records()) threaded.push(record);
    const inline = await readAll(file, { format: 'jsonl' });
    expect(threaded).toEqual(inline.records);
    expect(threaded).toHaveLength(3000);
    expect(threaded[7]?.problem?.code).toBe('ROW_MALFORMED');
    expect(source.bytesRead()).toBe(source.size);
  });
});
