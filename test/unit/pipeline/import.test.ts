import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryLedger } from '../../../src/ledger/memory-ledger.js';
import { compileMapping, parseMapping } from '../../../src/mapping/compile.js';
import { importFiles } from '../../../src/pipeline/import.js';
import { ReamazeClient } from '../../../src/reamaze/client.js';
import { Throttle } from '../../../src/reamaze/throttle.js';
import { REPO } from '../../helpers/cli.js';
import { makeTempDir, type TempDir } from '../source/helpers.js';

let temp: TempDir;
let throttle: Throttle | undefined;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await throttle?.stop();
  await temp.remove();
});

/** The generic-csv preset, with `source` changed as given. */
async function genericMapping(source: Record<string, unknown> = {}) {
  const path = join(REPO, 'mappings/generic-csv.json');
  const spec = JSON.parse(await readFile(path, 'utf8')) as { source: Record<string, unknown> };
  return compileMapping(parseMapping({ ...spec, source: { ...spec.source, ...source } }, path));
}

describe('importFiles', () => {
  it('closes the source files when the run is refused before any row (a changed source.key)', async () => {
    const file = await temp.write('t.csv', 'ticket_id,subject,body,status,tags,name,email,created_at\nT1,Hi,Help,open,,Ann,ann@example.com,2024-05-01 10:00:00\n');
    const ledger = new MemoryLedger();
    const before = await genericMapping();
    ledger.startRun({ args: { mapping_spec: before.canonical }, mappingHash: before.hash });
    // Every handle a source reads through, to see afterwards that it was closed (fd -1), not left to the GC.
    const probe = await open(file);
    const read = vi.spyOn(Object.getPrototypeOf(probe) as FileHandle, 'read');
    await probe.close();
    const client = new ReamazeClient({ baseUrl: 'http://127.0.0.1:9/api/v1', email: 'importer@example.com', token: 't' });
    throttle = new Throttle({ rate: 1 });
    const run = importFiles({ files: [file], mapping: await genericMapping({ key: '{{ticket_id}}-v2' }), ledger, client, throttle, args: {} });
    await expect(run).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('The mapping changes source.key') });
    client.close();
    const handles = [...new Set(read.mock.contexts as FileHandle[])];
    expect(handles.map((handle) => handle.fd)).toEqual([-1]);
  });
});
