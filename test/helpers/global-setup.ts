import { execFileSync } from 'node:child_process';
import { REPO } from './cli.js';

/** Builds dist/ once before the tests, so tests of the binary and the reader thread never run a stale build. */
export default function setup(): void {
  execFileSync(process.execPath, [`${REPO}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'inherit' });
}
