// One measurement in a fresh process, so peak RSS belongs to that run alone.
// Usage: node bench/child.mjs <csv-parse|validate> <file>
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

const [mode, file] = process.argv.slice(2);

async function bareCsvParse() {
  let rows = 0;
  for await (const _record of createReadStream(file).pipe(parse({ columns: true }))) rows += 1;
  return rows;
}

async function validate() {
  const { main } = await import('../dist/cli/main.js');
  let out = '';
  const io = {
    stdout: { write: (text) => (out += text) },
    stderr: { write: () => true, isTTY: false },
    env: {},
    cwd: process.cwd(),
  };
  const code = await main(['validate', file, '--mapping', 'generic-csv', '--json', '--quiet'], io);
  if (code > 1) throw new Error(`validate exited ${code}`);
  return JSON.parse(out).rows;
}

const started = process.hrtime.bigint();
const rows = mode === 'csv-parse' ? await bareCsvParse() : await validate();
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const maxRssMB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ mode, rows, ms, maxRssMB })}\n`);
