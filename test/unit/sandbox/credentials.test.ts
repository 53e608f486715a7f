import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sandboxOptions } from '../../../src/cli/sandbox.js';
import { forgetSecrets } from '../../../src/redact.js';
import { formatSandboxBanner, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';

let server: Sandbox | undefined;
afterEach(async () => {
  forgetSecrets();
  await server?.close();
  server = undefined;
});

const basic = (email: string, token: string) => `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`;

describe('sandbox logins', () => {
  it('--credentials FILE: the logins of the file the importer reads, each a staff member', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sandbox-credentials-'));
    try {
      const file = join(dir, 'tokens.txt');
      await writeFile(file, '# staff\nanna@example.com tok_anna_123456\n\nben@example.com tok_ben_654321\n');
      await chmod(file, 0o600);
      const options = sandboxOptions({ credentials: 'tokens.txt' }, dir);
      expect(options.credentials).toEqual([{ email: 'anna@example.com', token: 'tok_anna_123456' }, { email: 'ben@example.com', token: 'tok_ben_654321' }]);
      server = await startSandbox({ ...options, rateLimit: 3 });
      const staff = await fetch(`${server.url}/staff`, { headers: { Accept: 'application/json', Authorization: basic('ben@example.com', 'tok_ben_654321') } });
      expect(((await staff.json()) as { staff: { email: string }[] }).staff.map((member) => member.email)).toEqual(['importer@example.com', 'anna@example.com', 'ben@example.com']);
      const banner = formatSandboxBanner(server).split('\n');
      expect(banner).toContain('  logins: the one above and 2 more (anna@example.com, ben@example.com), each with its own rate-limit bucket; run with --credentials FILE, one "email token" a line');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('files a message without a user under the login that sent it; a revoked login gets 403', async () => {
    server = await startSandbox({ credentials: [{ email: 'anna@example.com', token: 'tok_anna_123456' }] });
    const post = (path: string, body: unknown, auth: string) => fetch(`${server!.url}${path}`, { method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'application/json', Authorization: auth }, body: JSON.stringify(body) });
    const anna = basic('anna@example.com', 'tok_anna_123456');
    const created = await post('/conversations', { conversation: { subject: 'Hi', category: 'support', message: { body: 'Hello' }, user: { email: 'c@example.com', name: 'C' } } }, anna);
    expect(created.status).toBe(201);
    const { slug } = (await created.json()) as { slug: string };
    expect((await post(`/conversations/${slug}/messages`, { message: { body: 'Reply' } }, basic('importer@example.com', 'sandbox-token'))).status).toBe(201);
    expect(server.conversations()[0]!.messages[1]!.user.email).toBe('importer@example.com');
    expect(server.senders()).toEqual([{ slug, conversation: 'anna@example.com', messages: ['anna@example.com', 'importer@example.com'] }]);
    server.setOptions({ credentials: [] });
    expect((await post(`/conversations/${slug}/messages`, { message: { body: 'Again' } }, anna)).status).toBe(403);
    expect(() => server!.setOptions({ credentials: [{ email: 'not-an-email', token: 'x' }] })).toThrow(/sandbox credential e-mail must be an e-mail address/);
  });
});
