import { describe, expect, it } from 'vitest';
import { call, closeSandboxesAfterEach, createConversation, sandboxFor } from './helpers.js';

closeSandboxesAfterEach();

describe('sandbox: what an admin does by hand (for rehearsing verify)', () => {
  it('deletes a conversation, sets a status and deletes a message, as methods and as control endpoints', async () => {
    const sandbox = await sandboxFor();
    const slugs: string[] = [];
    for (const key of ['A', 'B', 'C']) slugs.push(((await createConversation(sandbox, key)).body as { slug: string }).slug);
    const [a, b, c] = slugs as [string, string, string];
    expect((await call(sandbox, 'GET', `/conversations/${a}`)).status).toBe(200);
    expect(sandbox.deleteConversation(a)).toBe(true);
    expect(sandbox.deleteConversation(a)).toBe(false);
    expect((await call(sandbox, 'GET', `/conversations/${a}`)).status).toBe(404);
    expect(sandbox.setStatus(b, 4)).toBe(true);
    expect(((await call(sandbox, 'GET', `/conversations/${b}`)).body as { status: number }).status).toBe(4);
    expect(sandbox.removeMessage(c, 1)).toBe(false);
    expect(sandbox.removeMessage(c, 0)).toBe(true);
    expect(sandbox.conversations().find((held) => held.slug === c)?.messages).toEqual([]);

    const control = (path: string) => fetch(`${sandbox.url.replace(/\/api\/v1$/, '')}/__sandbox/${path}`, { method: 'POST' });
    expect((await control(`conversations/${b}/status?value=1`)).status).toBe(200);
    expect(sandbox.conversations().find((held) => held.slug === b)?.status).toBe(1);
    expect((await control(`conversations/${b}/messages/0/delete`)).status).toBe(200);
    expect((await control(`conversations/${b}/delete`)).status).toBe(200);
    expect((await control(`conversations/${b}/delete`)).status).toBe(404);
    expect(sandbox.conversations().map((held) => held.slug)).toEqual([c]);
  });

  it('counts a conversation created again under a key it holds, and not one whose first was deleted', async () => {
    const sandbox = await sandboxFor();
    const first = ((await createConversation(sandbox, 'K1')).body as { slug: string }).slug;
    await createConversation(sandbox, 'K2');
    expect(sandbox.stats().duplicateKeys).toBe(0);
    await createConversation(sandbox, 'K1');
    expect(sandbox.stats().duplicateKeys).toBe(1);
    const again = sandbox.conversations().filter((held) => held.data.import_key === 'K1').map((held) => held.slug);
    for (const slug of again) sandbox.deleteConversation(slug);
    expect(again).toContain(first);
    await createConversation(sandbox, 'K1');
    expect(sandbox.stats().duplicateKeys).toBe(1);
  });
});
