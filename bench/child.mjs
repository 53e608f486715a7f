// One measurement in a fresh process, so peak RSS belongs to that run alone.
// Usage: node bench/child.mjs <csv-parse|validate> <file>
//        node bench/child.mjs validate-join <tickets> <comments> <mapping>
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

const [mode, file, comments, mapping] = process.argv.slice(2);

async function bareCsvParse() {
  let rows = 0;
  for await (const _record of createReadStream(file).pipe(parse({ columns: true }))) rows += 1;
  return rows;
}

async function validate(extra = ['--mapping', 'generic-csv']) {
  const { main } = await import('../dist/cli/main.js');
  let out = '';
  const io = {
    stdout: { write: (text) => (out += text) },
    stderr: { write: () => true, isTTY: false },
    // Only the tuning knob passes through: the parse thread can be kept out of a comparison.
    env: process.env.REAMAZE_IMPORT_THREAD_MIN_BYTES ? { REAMAZE_IMPORT_THREAD_MIN_BYTES: process.env.REAMAZE_IMPORT_THREAD_MIN_BYTES } : {},
    cwd: process.cwd(),
  };
  const code = await main(['validate', file, ...extra, '--json', '--quiet'], io);
  if (code > 1) throw new Error(`validate exited ${code}`);
  const summary = JSON.parse(out);
  return extra.includes('--messages') ? { rows: summary.rows, valid: summary.valid, messages: summary.messages_files.messages } : summary.rows;
}

const started = process.hrtime.bigint();
const result =
  mode === 'csv-parse' ? await bareCsvParse() : mode === 'validate-join' ? await validate(['--messages', comments, '--mapping', mapping]) : await validate();
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const maxRssMB = process.resourceUsage().maxRSS / 1024;
const counts = typeof result === 'number' ? { rows: result } : result;
process.stdout.write(`${JSON.stringify({ mode, ...counts, ms, maxRssMB })}\n`);
