// Writes docs/report.png: a real import against the in-process sandbox (from dist/: run `npm run
// build` first; `npm run docs:report` does), with 429s, a few 5xx, invalid and rejected rows, then
// `report`, photographed in headless Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { main, startSandbox } from '../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'docs', 'report.png');
const ROWS = 160;

/** The CLI in-process; what it prints is kept, not shown. */
async function cli(argv, env = {}) {
  let stdout = '';
  let stderr = '';
  // In the export's folder, with relative names, as a user runs it: the page shows `tickets.csv:12`.
  const code = await main(argv, { stdout: { write: (text) => (stdout += text) }, stderr: { write: (text) => (stderr += text), isTTY: false, columns: 100 }, env, cwd: dir });
  return { code, stdout, stderr };
}

/** An export of `ROWS` tickets: a few bad e-mails, empty bodies, duplicates, subjects the API refuses. */
function exportText() {
  const lines = ['ticket_id,subject,body,status,tags,name,email,created_at'];
  for (let i = 1; i <= ROWS; i += 1) {
    const email = i % 37 === 0 ? `customer${i}@` : `customer${i}@example.com`;
    const body = i % 53 === 0 ? '' : `Hello, order ${1000 + i} has not arrived yet.`;
    lines.push(`T${i},Order ${1000 + i},"${body}",open,"shipping, order",Customer ${i},${email},2024-05-01 10:${String(i % 60).padStart(2, '0')}:00`);
  }
  lines.push('T7,Order 1007 again,"Again",open,,Customer 7,customer7@example.com,2024-05-02 09:00:00');
  return `${lines.join('\n')}\n`;
}

const dir = await mkdtemp(join(tmpdir(), 'acme-export-'));
const faults = Object.fromEntries([11, 64, 99, 140].map((i) => [`T${i}`, ['422']]));
const sandbox = await startSandbox({ rateLimit: 8, faults, faultRates: { '500-before': 0.02, '503-before': 0.02 }, seed: 7 });
// The export's folder as the working one: the ledger then names `tickets.csv`, as a user's would.
process.chdir(dir);
try {
  await writeFile(join(dir, 'tickets.csv'), exportText());
  const file = 'tickets.csv';
  const ledger = 'acme.ledger';
  const env = { REAMAZE_BASE_URL: sandbox.url, REAMAZE_EMAIL: 'importer@example.com', REAMAZE_API_TOKEN: 'sandbox-token' };
  const run = await cli(['run', file, '--mapping', 'generic-csv', '--ledger', ledger, '--rate', '30', '--json', '--quiet'], env);
  if (run.code > 1) throw new Error(`the import ended with ${run.code}: ${run.stderr}`);
  // Someone deletes a conversation and resolves another in Re:amaze; verify names both.
  const [first, second] = sandbox.conversations();
  sandbox.deleteConversation(first.slug);
  sandbox.setStatus(second.slug, 2);
  const verify = await cli(['verify', '--ledger', ledger, '--rate', '30', '--quiet'], env);
  if (verify.code > 1) throw new Error(`verify ended with ${verify.code}: ${verify.stderr}`);
  const out = join(dir, 'report.html');
  const report = await cli(['report', '--ledger', ledger, '--out', out]);
  if (report.code !== 0) throw new Error(report.stderr);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(pathToFileURL(out).href);
    await page.waitForSelector('#chart canvas');
    await page.screenshot({ path: target, fullPage: true });
  } finally {
    await browser.close();
  }
  console.log(`wrote ${target} (${Math.round((await stat(target)).size / 1024)} KB) from ${ROWS} rows; ${report.stdout.trim()}`);
} finally {
  process.chdir(root);
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
}
