import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ReamazeClient } from '../../../src/reamaze/client.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.js';

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const item of opened.splice(0)) await item.close();
});

function clientFor(baseUrl: string): ReamazeClient {
  const client = new ReamazeClient({ baseUrl, email: 'importer@example.com', token: 'sandbox-token' });
  opened.push(client);
  return client;
}

async function sandboxWith(options: Parameters<typeof startSandbox>[0]): Promise<Sandbox> {
  const sandbox = await startSandbox(options);
  opened.push(sandbox);
  return sandbox;
}

/** A server that answers every request with this status, content type and raw body. */
async function serve(status: number, contentType: string, body: string): Promise<string> {
  const server: Server = createServer((_request, response) => response.writeHead(status, { 'Content-Type': contentType }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  opened.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
}

const json = (body: unknown) => serve(200, 'application/json', JSON.stringify(body));

describe('ReamazeClient.staffPage', () => {
  it('reads the sandbox page by page: members, page size and page count', async () => {
    const staff = Array.from({ length: 64 }, (_, i) => ({ name: `Agent ${i + 1}`, email: `agent${i + 1}@acme.test` }));
    const sandbox = await sandboxWith({ staff });
    const client = clientFor(sandbox.url);
    const first = await client.staffPage(1);
    expect(first).toMatchObject({ size: 30, pageCount: 3 });
    expect((first as { staff: unknown[] }).staff.slice(0, 2)).toEqual([
      { name: 'Importer', email: 'importer@example.com' },
      { name: 'Agent 1', email: 'agent1@acme.test' },
    ]);
    const third = await client.staffPage(3);
    expect(third).toEqual({ staff: staff.slice(59), size: 5, pageCount: 3 });
    expect(await client.staffPage(4)).toEqual({ staff: [], size: 0, pageCount: 3 });
    expect(sandbox.stats().byRoute).toEqual({ 'GET /staff': 3 });
  });

  it("passes the sandbox's 404 on when the listing is off", async () => {
    const sandbox = await sandboxWith({ staffListing: false });
    expect(await clientFor(sandbox.url).staffPage(1)).toEqual({ kind: 'not-found', status: 404 });
  });

  it('reads a list under `users`, skipping entries without a string e-mail', async () => {
    const url = await json({
      page_count: '2',
      users: [{ email: 'a@acme.test', name: '' }, { name: 'No mail' }, { email: 7 }, null, 'x@acme.test', { email: ' b@acme.test ', name: 'B' }],
    });
    expect(await clientFor(url).staffPage(1)).toEqual({
      staff: [{ email: 'a@acme.test' }, { email: 'b@acme.test', name: 'B' }],
      size: 6,
      pageCount: 2,
    });
  });

  it('reads a bare list, with no page count', async () => {
    const url = await json([{ email: 'a@acme.test', name: 'A' }]);
    expect(await clientFor(url).staffPage(1)).toEqual({ staff: [{ email: 'a@acme.test', name: 'A' }], size: 1, pageCount: undefined });
  });

  it('prefers `staff` to `users`, and ignores a page count that is not a positive integer', async () => {
    const url = await json({ staff: [{ email: 's@acme.test' }], users: [{ email: 'u@acme.test' }], page_count: 0 });
    expect(await clientFor(url).staffPage(1)).toEqual({ staff: [{ email: 's@acme.test' }], size: 1, pageCount: undefined });
  });

  const noList: [string, string, string][] = [
    ['an HTML page answered 200', 'text/html', '<!doctype html><html><body>Sign in</body></html>'],
    ['JSON without a list', 'application/json', '{"staff": {"email": "a@acme.test"}}'],
    ['an empty body', 'application/json', ''],
  ];
  it.each(noList)('calls %s unknown: the staff answer has no staff list', async (_name, contentType, body) => {
    const url = await serve(200, contentType, body);
    expect(await clientFor(url).staffPage(1)).toEqual({ kind: 'unknown', reason: 'the staff answer has no staff list' });
  });

  it('passes other outcomes on as they are', async () => {
    expect(await clientFor(await serve(403, 'application/json', '{}')).staffPage(1)).toEqual({ kind: 'auth', status: 403 });
  });
});
