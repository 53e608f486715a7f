import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../helpers/cli.js';
import { CORPORA } from './corpora-path.js';

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
    // A mapping with placeholders would stop at the column check; point them at a real column so
    // every row of the file is read, parsed and validated.
    if (init.code === 1) fillPlaceholders(mapping);
    // The files beside it that init names (--messages, --lookup) go along, as a user would pass them
    const beside = /Give the files beside it too: (.*)$/m.exec(init.stderr)?.[1]?.split(' ') ?? [];
    const validate = await runCli(['validate', file, '--mapping', mapping, ...beside, '--json', '--quiet']);
    expect(hasStackTrace(validate.stderr)).toBe(false);
    expect([0, 1, 2]).toContain(validate.code);
    if (validate.code === 2) {
      // A clear refusal names the file it is about, or the lookup file it still needs.
      expect(validate.stderr).toMatch(new RegExp(`${escape(file)}|lookup "\\w+" is not given`));
      expect(validate.stdout).toBe('');
      return;
    }
    const summary = JSON.parse(validate.stdout);
    expect(summary.rows).toBe(summary.valid + summary.invalid + summary.duplicates);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces `REPLACE ME:` columns with a column the mapping already reads (when it reads one). */
function fillPlaceholders(path: string): void {
  const text = readFileSync(path, 'utf8');
  const known = [...text.matchAll(/\{\{([^}]+)\}\}|"from": "((?!REPLACE ME)[^"]+)"/g)].map((match) => match[1] ?? match[2])[0];
  if (known) writeFileSync(path, text.replace(/REPLACE ME:[^"]*/g, known));
}
