import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/index.js';
import { call, closeSandboxesAfterEach, createConversation, sandboxFor } from './helpers.js';

closeSandboxesAfterEach();

const ANN = { name: 'Ann Agent', email: 'ann@acme.test' };

async function slugOf(sandbox: Sandbox, key: string): Promise<string> {
  return ((await createConversation(sandbox, key)).body as { slug: string }).slug;
}

function put(sandbox: Sandbox, slug: string, conversation: Record<string, unknown>) {
  return call(sandbox, 'PUT', `/conversations/${slug}`, { conversation });
}

async function unassignedKeys(sandbox: Sandbox): Promise<unknown[]> {
  const listing = (await call(sandbox, 'GET', '/conversations?filter=unassigned')).body as { conversations: { data: { import_key: unknown } }[] };
  return listing.conversations.map((c) => c.data.import_key);
}

describe('sandbox: PUT /conversations/{slug} assignee', () => {
  it('assigns a staff member, held as the e-mail the staff list has, and merges data alongside', async () => {
    const sandbox = await sandboxFor({ staff: [ANN] });
    const slug = await slugOf(sandbox, 'A');
    expect(sandbox.conversations()[0]?.assignee).toBeNull();
    const reply = await put(sandbox, slug, { assignee: { email: 'Ann@Acme.TEST' }, status: 2, data: { legacy_assignee: 'ann' } });
    expect(reply).toMatchObject({ status: 200, body: { slug, assignee: 'ann@acme.test', status: 2 } });
    expect(sandbox.conversations()[0]).toMatchObject({
      assignee: 'ann@acme.test',
      status: 2,
      data: { import_key: 'A', legacy_assignee: 'ann' },
    });
    await put(sandbox, slug, { assignee: { email: 'importer@example.com' } });
    expect(sandbox.conversations()[0]?.assignee).toBe('importer@example.com');
  });

  it('refuses anyone who is not staff with a 422, changing nothing', async () => {
    const sandbox = await sandboxFor({ staff: [ANN] });
    const slug = await slugOf(sandbox, 'A');
    for (const assignee of [{ email: 'bob@example.com' }, { name: 'Ann Agent' }, 'ann@acme.test', { email: 42 }]) {
      const reply = await put(sandbox, slug, { assignee, status: 2 });
      expect(reply).toEqual({ status: 422, headers: expect.anything(), body: { errors: { assignee: ['is not a staff member'] } } });
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    }
    expect(sandbox.conversations()[0]).toMatchObject({ assignee: null, status: 0 });
  });

  it('unassigns with null', async () => {
    const sandbox = await sandboxFor({ staff: [ANN] });
    const slug = await slugOf(sandbox, 'A');
    await put(sandbox, slug, { assignee: { email: ANN.email } });
    expect((await put(sandbox, slug, { assignee: null })).status).toBe(200);
    expect(sandbox.conversations()[0]?.assignee).toBeNull();
  });

  it('filter=unassigned lists only conversations without an assignee, archived ones left out', async () => {
    const sandbox = await sandboxFor({ staff: [ANN] });
    const a = await slugOf(sandbox, 'A');
    await slugOf(sandbox, 'B');
    const c = await slugOf(sandbox, 'C');
    expect(await unassignedKeys(sandbox)).toEqual(['C', 'B', 'A']);
    await put(sandbox, a, { assignee: { email: ANN.email } });
    await put(sandbox, c, { status: 4 });
    expect(await unassignedKeys(sandbox)).toEqual(['B']);
    const all = (await call(sandbox, 'GET', '/conversations?filter=all')).body as { total_count: number };
    expect(all.total_count).toBe(3);
  });
});
