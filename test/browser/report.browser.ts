import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { importForReport } from '../helpers/report-import.js';

/** Debian's chromium (no browser can be downloaded here); CHROMIUM_PATH names another. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the screenshot of the page is kept after the run (outside the clone). */
export const SCREENSHOT = join(tmpdir(), 'reamaze-report-browser.png');

let browser: Browser;
let dir: string;
let cleanup: () => Promise<void>;
let server: Sandbox | undefined;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH.`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
afterAll(async () => browser?.close());
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => {
  await server?.close();
  server = undefined;
  await cleanup();
});

/** The value at a dotted path (`runs.0.counts.done`) of `status --json`. */
function at(status: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, part) => (value as Record<string, unknown> | undefined)?.[part], status);
}

describe('the report in a browser', () => {
  it('shows the figures of status --json, draws the chart offline, prints, and is kept as a screenshot', async () => {
    const imported = await importForReport(dir, 40);
    server = imported.server;
    const out = join(dir, 'report.html');
    expect((await runCli(['report', '--ledger', imported.ledger, '--out', out])).code).toBe(0);
    const status = JSON.parse((await runCli(['status', '--ledger', imported.ledger, '--json'])).stdout);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const requested: string[] = [];
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // Nothing but the file itself may be loaded: the page must open without a network.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requested.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(out).href);
    await page.waitForSelector('#chart canvas');

    const shown = await page.$$eval('[data-figure]', (nodes) => nodes.map((node) => ({
      path: node.getAttribute('data-figure')!, value: node.getAttribute('data-value')!, text: node.textContent ?? '',
    })));
    for (const state of Object.keys(status.counts)) {
      const tile = shown.find((item) => item.path === `counts.${state}`);
      expect(tile, state).toBeDefined();
      expect(Number(tile!.text.replace(/,/g, '')), state).toBe(status.counts[state]);
    }
    for (const item of shown) expect(item.value, item.path).toBe(String(at(status, item.path) ?? ''));
    expect(shown.filter((item) => item.path.startsWith('runs.'))).not.toHaveLength(0);
    expect(shown.filter((item) => item.path.startsWith('top_errors.')).map((item) => Number(item.value)))
      .toEqual(status.top_errors.map((group: { count: number }) => group.count));

    const canvas = await page.$eval('#chart canvas', (node) => ({ width: (node as unknown as { width: number }).width, height: (node as unknown as { height: number }).height }));
    expect(canvas.width).toBeGreaterThan(300);
    expect(canvas.height).toBeGreaterThan(100);
    const legend = await page.$$eval('#chart .u-legend .u-label', (nodes) => nodes.map((node) => node.textContent));
    expect(legend).toEqual(['minute (UTC)', 'requests', '429s', 'failures']);
    expect(requested).toEqual([]);
    expect(errors).toEqual([]);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect((await stat(SCREENSHOT)).size).toBeGreaterThan(10_000);
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.close();
  });
});
