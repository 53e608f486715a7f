import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ReamazeClient } from '../../../src/reamaze/client.js';

let server: Server | undefined;
afterEach(async () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(answer: (url: string) => { status: number; body: unknown }): Promise<string> {
  server = createServer((request, response) => {
    const { status, body } = answer(request.url ?? '');
    response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/api/v1`;
}

describe('ReamazeClient lookups', () => {
  it('counts only conversations whose data carries exactly the key, whatever the server matched', async () => {
    const url = await serve(() => ({
      status: 200,
      body: { conversations: [{ slug: 'ten', data: { import_key: 'T10' } }, { slug: 'one', data: { import_key: 'T1' } }, { slug: 'none' }] },
    }));
    const client = new ReamazeClient({ baseUrl: url, email: 'a@b.co', token: 't' });
    expect(await client.findByData('import_key', 'T1')).toEqual({ slugs: ['one'] });
    // Listing conversations without the key, the answer was not filtered: no match proves nothing.
    expect(await client.findByData('import_key', 'T2')).toMatchObject({ kind: 'undecidable', status: 200, reason: expect.stringMatching(/not filtered/) });
    client.close();
  });

  it('reads an empty listing as absence, and a filtered one as its matches', async () => {
    const url = await serve((path) => ({
      status: 200,
      body: { conversations: path.includes('T1') ? [{ slug: 'one', data: { import_key: 'T1' } }] : [] },
    }));
    const client = new ReamazeClient({ baseUrl: url, email: 'a@b.co', token: 't' });
    expect(await client.findByData('import_key', 'T1')).toEqual({ slugs: ['one'] });
    expect(await client.findByData('import_key', 'T2')).toEqual({ slugs: [] });
    client.close();
  });

  it('sends the key as data[field] with filter=all, encoded', async () => {
    let seen = '';
    const url = await serve((path) => {
      seen = path;
      return { status: 200, body: { conversations: [] } };
    });
    const client = new ReamazeClient({ baseUrl: url, email: 'a@b.co', token: 't' });
    await client.findByData('import_key', 'a b&c');
    expect(new URL(seen, 'http://x').searchParams.get('data[import_key]')).toBe('a b&c');
    expect(new URL(seen, 'http://x').searchParams.get('filter')).toBe('all');
    client.close();
  });
});

describe('ReamazeClient time limit', () => {
  it('is a deadline for the whole request: an answer that drips a byte at a time runs out of time', async () => {
    server = createServer((_request, response) => {
      response.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': 1000 });
      const timer = setInterval(() => response.write(' '), 100);
      response.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const client = new ReamazeClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`, email: 'a@b.co', token: 't', timeoutMs: 500 });
    const began = Date.now();
    const outcome = await client.createConversation({ conversation: {} });
    expect(Date.now() - began).toBeLessThan(2000);
    expect(outcome).toEqual({ kind: 'unknown', reason: 'POST /api/v1/conversations: no answer in time after the request was sent' });
    client.close();
  });

  it('gives up every answer still awaited when the run stops: a request sent is unknown, and ends at once', async () => {
    server = createServer((_request, response) => {
      response.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': 1000 });
      const timer = setInterval(() => response.write(' '), 100);
      response.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const client = new ReamazeClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`, email: 'a@b.co', token: 't', timeoutMs: 60_000 });
    const answers = Promise.all([client.createConversation({ conversation: {} }), client.addMessage('s', { message: {} })]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    client.abortInFlight();
    expect(await answers).toEqual([
      { kind: 'unknown', reason: 'POST /api/v1/conversations: the run stopped waiting for the answer after the request was sent' },
      { kind: 'unknown', reason: 'POST /api/v1/conversations/s/messages: the run stopped waiting for the answer after the request was sent' },
    ]);
    client.close();
  });
});
