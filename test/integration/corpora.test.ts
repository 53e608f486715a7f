import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPORA, hasStackTrace, runCli, tempDir } from '../helpers/cli.js';

function walk(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

// Read at collection time: a missing corpus must fail the suite, not quietly run no test.
const files = walk(CORPORA).sort();

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(async () => cleanup());

describe('every file of the shared corpora goes through init, then validate', () => {
  it('finds the corpora', () => {
    expect(files.length).toBeGreaterThan(200);
  });

  it.each(files.map((file) => [relative(CORPORA, file), file]))('%s', async (_name, file) => {
    const mapping = join(dir, `${files.indexOf(file)}.json`);
    const init = await runCli(['init', file, '--out', mapping, '--force']);
    expect(hasStackTrace(init.stderr)).toBe(false);
    expect([0, 1, 2]).toContain(init.code);
    if (init.code === 2) {
      // A clear refusal: one sentence that names the file.
      expect(init.stderr).toContain(file);
      return;
    }
    const validate = await runCli(['validate', file, '--mapping', mapping, '--json', '--quiet']);
    expect(hasStackTrace(validate.stderr)).toBe(false);
    expect([0, 1, 2]).toContain(validate.code);
    if (validate.code === 2) {
      expect(validate.stderr.trim().length).toBeGreaterThan(0);
      expect(validate.stdout).toBe('');
      return;
    }
    const summary = JSON.parse(validate.stdout);
    expect(summary.rows).toBe(summary.valid + summary.invalid + summary.duplicates);
  });
});
