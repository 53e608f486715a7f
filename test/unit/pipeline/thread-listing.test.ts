import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLedger } from '../../../src/ledger/memory-ledger.js';
import type { SendContext } from '../../../src/pipeline/attempt.js';
import { listThread } from '../../../src/pipeline/thread-listing.js';
import { ReamazeClient } from '../../../src/reamaze/client.js';
import { DEFAULT_RETRY_POLICY } from '../../../src/reamaze/retry-policy.js';
import { Throttle } from '../../../src/reamaze/throttle.js';

let server: http.Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** An API whose thread listing answers `pages(page)`, and records the pages asked for. */
async function api(pages: (page: number) => unknown): Promise<{ client: ReamazeClient; asked: number[]; context: SendContext }> {
  const asked: number[] = [];
  server = http.createServer((request, response) => {
    const page = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('page'));
    asked.push(page);
    const answer = pages(page);
    if (answer === 500) response.writeHead(500).end('oops');
    else response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new ReamazeClient({ baseUrl: `http://127.0.0.1:${port}/api/v1`, email: 'a@example.com', token: 't' });
  const context: SendContext = {
    ledger: new MemoryLedger(), client, throttle: new Throttle({ rate: 1000 }), retry: DEFAULT_RETRY_POLICY, keyField: 'k', abort: { error: undefined },
    sleep: async () => undefined,
  };
  return { client, asked, context };
}

const page = (ids: (string | null)[]) => ({ messages: ids.map((id) => (id === null ? { body: 'x' } : { origin_id: id })) });
const originsOf = (answer: Awaited<ReturnType<typeof listThread>>) => ('messages' in answer ? answer.messages.map((m) => m.originId) : answer);

describe('listThread: a thread as its listing shows it, every page through the attempt loop', () => {
  it('reads pages until an empty one when the answer has no page count', async () => {
    const { client, asked, context } = await api((n) => (n <= 3 ? page([`m${n}a`, `m${n}b`]) : page([])));
    const answer = await listThread('s', context);
    expect(originsOf(answer)).toEqual(['m1a', 'm1b', 'm2a', 'm2b', 'm3a', 'm3b']);
    expect(answer).toMatchObject({ complete: true });
    expect(asked).toEqual([1, 2, 3, 4]);
    client.close();
  });

  it('stops at the page count, and tells a missing origin_id (undefined) from a null one, keeping bodies', async () => {
    const { client, asked, context } = await api(() => ({ messages: [{ body: 'x' }, { origin_id: null, body: 'y' }, { origin_id: 7 }], page_count: 2 }));
    const answer = await listThread('s', context);
    expect(answer).toEqual({ complete: true, messages: [
      { originId: undefined, body: 'x' }, { originId: null, body: 'y' }, { originId: '7', body: undefined },
      { originId: undefined, body: 'x' }, { originId: null, body: 'y' }, { originId: '7', body: undefined },
    ] });
    expect(asked).toEqual([1, 2]);
    client.close();
  });

  it('says the listing is incomplete when it runs past the pages it may read', async () => {
    const { client, context } = await api((n) => page([`m${n}`]));
    const answer = await listThread('s', context, 20);
    expect(answer).toMatchObject({ complete: false });
    client.close();
  });

  it('gives each page its own retries: a long thread with one failing answer late in it is still read whole', async () => {
    let failed = false;
    const { client, asked, context } = await api((n) => {
      if (n === 9 && !failed) {
        failed = true;
        return 500;
      }
      return { ...page([`m${n}`]), page_count: 10 };
    });
    const answer = await listThread('s', context);
    expect(answer).toMatchObject({ complete: true });
    expect(answer).toHaveProperty('messages.length', 10);
    expect(asked).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 10]);
    client.close();
  });
});
