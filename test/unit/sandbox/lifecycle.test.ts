import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatSandboxBanner, SANDBOX_DEFAULTS, startSandbox } from '../../../src/sandbox/index.js';
import { call, closeSandboxesAfterEach, conversationBody, createConversation, sandboxFor, waitFor } from './helpers.js';

closeSandboxesAfterEach();

describe('sandbox: close()', () => {
  it('returns promptly while a request is hung, and the client sees the connection end', async () => {
    const sandbox = await startSandbox({ faults: { K: ['hang-after'] }, hangMs: 60_000 });
    const pending = createConversation(sandbox, 'K').then(
      () => 'answered',
      () => 'failed',
    );
    await waitFor(() => sandbox.stats().byStatus.hung === 1);
    const started = Date.now();
    await sandbox.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBe('failed');
  });

  it('returns promptly with idle keep-alive sockets and during latency, and twice', async () => {
    const sandbox = await startSandbox({ latencyMs: 60_000 });
    const pending = call(sandbox, 'GET', '/conversations').catch(() => 'failed');
    await waitFor(() => sandbox.stats().requests === 1);
    const started = Date.now();
    await sandbox.close();
    await sandbox.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBe('failed');
  });
});

describe('sandbox: latency', () => {
  it('holds many answers at once without a listener-leak warning', async () => {
    const sandbox = await sandboxFor({ latencyMs: 50 });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const statuses = await Promise.all(Array.from({ length: 30 }, () => call(sandbox, 'GET', '/conversations').then((r) => r.status)));
      expect(statuses.every((status) => status === 200)).toBe(true);
      // Warnings are emitted on the next tick
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('adds latency before the answer, after the work: a client timeout leaves the conversation created', async () => {
    const sandbox = await sandboxFor({ latencyMs: 300 });
    const started = Date.now();
    expect((await call(sandbox, 'GET', '/conversations')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const signal = AbortSignal.timeout(100);
    await expect(call(sandbox, 'POST', '/conversations', conversationBody('K'), { signal })).rejects.toThrow();
    expect(sandbox.conversations()).toHaveLength(1);
  });
});

describe('sandbox: options at run time, reset()', () => {
  it('fills in the defaults and hands out copies', async () => {
    const sandbox = await sandboxFor({ channels: ['a'] });
    const options = sandbox.options();
    expect(options).toEqual({ ...SANDBOX_DEFAULTS, channels: ['a'] });
    options.channels.push('b');
    expect(sandbox.options().channels).toEqual(['a']);
  });

  it('refuses unknown fault kinds and impossible rates', async () => {
    await expect(startSandbox({ faults: { K: ['boom' as never] } })).rejects.toThrow(/unknown sandbox fault "boom"/);
    const sandbox = await sandboxFor();
    expect(() => sandbox.setOptions({ faultRates: { '500-before': 2 } })).toThrow(RangeError);
    expect(() => sandbox.setOptions({ latencyMs: -1 })).toThrow(RangeError);
  });

  it('changes faults, channels and created status at run time', async () => {
    const sandbox = await sandboxFor();
    sandbox.setOptions({ faults: { K: ['503-before'] }, channels: ['billing'], createdStatus: 200 });
    expect((await createConversation(sandbox, 'K', { category: 'billing' })).status).toBe(503);
    expect((await createConversation(sandbox, 'K', { category: 'billing' })).status).toBe(200);
    expect((await createConversation(sandbox, 'K')).status).toBe(422);
  });

  it('reset() forgets conversations and stats and restarts scripted faults', async () => {
    const sandbox = await sandboxFor({ faults: { K: ['500-before'] } });
    expect((await createConversation(sandbox, 'K')).status).toBe(500);
    expect((await createConversation(sandbox, 'K')).status).toBe(201);
    sandbox.reset();
    expect(sandbox.conversations()).toEqual([]);
    expect(sandbox.stats()).toMatchObject({ requests: 0, faultLog: [], byStatus: {} });
    expect((await createConversation(sandbox, 'K')).status).toBe(500);
  });

  it('hands out deep copies of what it holds', async () => {
    const sandbox = await sandboxFor();
    await createConversation(sandbox, 'K');
    const [held] = sandbox.conversations();
    held!.data.import_key = 'changed';
    held!.messages.length = 0;
    expect(sandbox.conversations()[0]).toMatchObject({ data: { import_key: 'K' }, messages: [{}] });
  });
});

describe('formatSandboxBanner', () => {
  it('prints the URL, the env lines, the limits and the faults in force', async () => {
    const sandbox = await sandboxFor({
      rateLimit: 5,
      retryAfter: true,
      latencyMs: 20,
      faults: { a: ['500-after'], b: ['drop-after'] },
      faultRates: { '503-before': 0.05 },
      seed: 7,
    });
    const banner = formatSandboxBanner(sandbox).replaceAll(String(sandbox.port), 'PORT');
    expect(banner).toMatchInlineSnapshot(`
      "Re:amaze sandbox "sandbox" listening on http://127.0.0.1:PORT/api/v1
      Point reamaze-import at it: paste these lines into the terminal you run it in.
      export REAMAZE_BASE_URL=http://127.0.0.1:PORT/api/v1
      export REAMAZE_EMAIL=importer@example.com
      export REAMAZE_API_TOKEN=sandbox-token
        channels: support · data key: import_key · created status: 201
        rate limit: 5/s per token (with Retry-After) · latency: 20 ms
        faults: scripted for 2 keys; random 503-before 5% (seed 7)
        held conversations: http://127.0.0.1:PORT/__sandbox/conversations · stats: http://127.0.0.1:PORT/__sandbox/stats"
    `);
  });

  it('prints export lines a shell takes as they are, whatever the token holds', async () => {
    const sandbox = await sandboxFor({ token: "it's a $secret token" });
    const exports = formatSandboxBanner(sandbox).split('\n').filter((line) => line.startsWith('export '));
    expect(exports).toHaveLength(3);
    const echoed = execFileSync('sh', ['-c', `${exports.join('\n')}\nprintf '%s\\n' "$REAMAZE_BASE_URL" "$REAMAZE_EMAIL" "$REAMAZE_API_TOKEN"`], { encoding: 'utf8' });
    expect(echoed).toBe(`${sandbox.url}\nimporter@example.com\nit's a $secret token\n`);
  });

  it('says none when nothing is in force', async () => {
    const sandbox = await sandboxFor();
    const banner = formatSandboxBanner(sandbox);
    expect(banner).toContain('rate limit: none · latency: 0 ms');
    expect(banner).toContain('faults: none');
  });
});
