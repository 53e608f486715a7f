// The API token never appears in what the importer prints or stores, wherever the text came from:
// an API answer that echoes the credentials back, a base URL the token was pasted into.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetSecrets } from '../../src/redact.js';
import { runCli, tempDir } from '../helpers/cli.js';

const TOKEN = 'tok_S3cr3t+9f8e7d6c5b4a';
const EMAIL = 'importer@example.com';
const BASIC = Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64');

let dir: string;
let cleanup: () => Promise<void>;
let server: Server | undefined;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => {
  forgetSecrets();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  server = undefined;
  await cleanup();
});

const HEADER = 'ticket_id,subject,body,status,tags,name,email,created_at\n';
const row = (id: string) => `${id},Subject ${id},Body of ${id},open,,Name ${id},${id.toLowerCase()}@example.com,2024-05-01 10:00:00\n`;

/** What a careless server answers: the request's credentials, echoed in the error body. */
function echoed(request: IncomingMessage): string {
  const authorization = request.headers.authorization ?? '';
  return JSON.stringify({ errors: { authorization: [`${authorization} is not allowed`], token: [`${TOKEN} (${encodeURIComponent(TOKEN)}) has expired`] } });
}

let refusedT2 = 0;

/** Answers 422 for T1's conversation and 500 for T2's first one, each echoing the credentials; creates the rest. */
function answer(request: IncomingMessage, body: string, response: ServerResponse): void {
  const send = (status: number, text: string): void => void response.writeHead(status, { 'Content-Type': 'application/json' }).end(text);
  if (request.method === 'GET' && request.url?.startsWith('/api/v1/staff')) return send(200, JSON.stringify({ staff: [], page_count: 1 }));
  if (request.method === 'GET') return send(200, JSON.stringify({ conversations: [], page_count: 1, total_count: 0 }));
  if (body.includes('"T1"')) return send(422, echoed(request));
  if (body.includes('"T2"') && refusedT2++ === 0) return send(500, echoed(request));
  return send(201, JSON.stringify({ slug: `slug-${Math.random().toString(36).slice(2)}`, subject: 'ok' }));
}

async function echoServer(): Promise<string> {
  refusedT2 = 0;
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => answer(request, body, response));
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/api/v1`;
}

/** Every form of the credentials a text could carry. */
function expectNoSecret(text: string, where: string): void {
  for (const secret of [TOKEN, encodeURIComponent(TOKEN), BASIC]) expect(text.includes(secret), `${where} holds ${secret}`).toBe(false);
}

/** An import of T1 (422), T2 (500, then created) and T3 against the echoing server; the ledger's path. */
async function importEchoed(): Promise<{ ledger: string; output: string }> {
  const base = await echoServer();
  const file = join(dir, 'tickets.csv');
  await writeFile(file, HEADER + row('T1') + row('T2') + row('T3'));
  const ledger = join(dir, 'import.ledger');
  const env = { REAMAZE_BASE_URL: base, REAMAZE_EMAIL: EMAIL, REAMAZE_API_TOKEN: TOKEN };
  const run = await runCli(['run', file, '--mapping', 'generic-csv', '--ledger', ledger, '--rate', '200', '--timeout', '5'], { env });
  expect(run.code).toBe(1);
  expect(run.stdout).toContain('1 rejected');
  const json = await runCli(['run', file, '--mapping', 'generic-csv', '--ledger', ledger, '--rate', '200', '--json'], { env });
  return { ledger, output: run.stdout + run.stderr + json.stdout + json.stderr };
}

describe('credentials echoed back by the API', () => {
  it('are not printed by the run, nor written to the failures files', async () => {
    const { ledger, output } = await importEchoed();
    expectNoSecret(output, 'the run output');
    for (const out of ['failures.csv', 'failures.jsonl']) {
      const failures = await runCli(['failures', '--ledger', ledger, '--out', join(dir, out)]);
      expect(failures.code).toBe(0);
      const text = await readFile(join(dir, out), 'utf8');
      expect(text).toContain('[redacted] is not allowed');
      expectNoSecret(text, out);
    }
  });
});

describe('the ledger', () => {
  it('stores the echoed answers without the token, so status and failures in a later process show none', async () => {
    const { ledger } = await importEchoed();
    for (const file of [ledger, `${ledger}-wal`]) {
      const bytes = await readFile(file).catch(() => Buffer.alloc(0));
      expectNoSecret(bytes.toString('latin1'), file);
    }
    const status = await runCli(['status', '--ledger', ledger, '--json']);
    expect(status.code).toBe(0);
    expectNoSecret(status.stdout + status.stderr, 'status');
  });
});

describe('a base URL holding the token', () => {
  async function runWith(baseUrl: string) {
    const file = join(dir, 'tickets.csv');
    await writeFile(file, HEADER + row('T1'));
    const env = { REAMAZE_BASE_URL: baseUrl, REAMAZE_EMAIL: EMAIL, REAMAZE_API_TOKEN: TOKEN };
    return runCli(['run', file, '--mapping', 'generic-csv', '--ledger', join(dir, 'import.ledger'), '--timeout', '2'], { env });
  }

  it('is refused as no URL without showing the token', async () => {
    for (const baseUrl of [TOKEN, `http://${TOKEN} /api/v1`]) {
      const run = await runWith(baseUrl);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('is not a URL');
      expectNoSecret(run.stdout + run.stderr, `the refusal of ${baseUrl}`);
    }
  });
});
