import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO } from '../helpers/cli.js';

/** The folders the corpus suite reads, each with a SOURCE.md saying where it comes from. */
const EXPECTED = ['csv-edge-cases', 'helpdesk-exports'];

/**
 * The corpora folder: `REAMAZE_CORPORA` (relative to the repository root), default `../shared/corpora`.
 * Throws when it is not there, so the corpus suite fails instead of quietly running no test.
 */
export function findCorpora(env: NodeJS.ProcessEnv = process.env): string {
  const folder = resolve(REPO, env.REAMAZE_CORPORA || '../shared/corpora');
  const missing = EXPECTED.filter((name) => !existsSync(join(folder, name)));
  if (missing.length > 0) {
    throw new Error(
      `The corpora are not at ${folder} (no ${missing.map((name) => `${name}/`).join(', ')}): set REAMAZE_CORPORA ` +
        `to the folder holding ${EXPECTED.map((name) => `${name}/`).join(' and ')} (CI has them at ../shared/corpora).`,
    );
  }
  return folder;
}

/** The shared corpora: public CSV torture suites and helpdesk export samples. */
export const CORPORA = findCorpora();
