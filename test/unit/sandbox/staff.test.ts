import { describe, expect, it } from 'vitest';
import { formatSandboxBanner, startSandbox } from '../../../src/sandbox/index.js';
import { basic, call, closeSandboxesAfterEach, sandboxFor } from './helpers.js';

closeSandboxesAfterEach();

type StaffListing = {
  page_size: number;
  page_count: number;
  total_count: number;
  staff: { name: string; email: string; created_at: string }[];
};

const agents = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ name: `Agent ${i + 1}`, email: `agent${i + 1}@acme.test` }));

describe('sandbox: GET /staff', () => {
  it("lists the token's user first, then the others in order, 30 a page", async () => {
    const sandbox = await sandboxFor({ staff: agents(64) });
    const page = async (query: string) => (await call(sandbox, 'GET', `/staff${query}`)).body as StaffListing;
    const first = await page('?page=1');
    expect(first).toMatchObject({ page_size: 30, page_count: 3, total_count: 65 });
    expect(first.staff).toHaveLength(30);
    expect(first.staff[0]).toEqual({ name: 'Importer', email: 'importer@example.com', created_at: expect.any(String) });
    expect(first.staff[1]).toMatchObject({ name: 'Agent 1', email: 'agent1@acme.test' });
    expect((await page('?page=2')).staff.map((m) => m.email)).toEqual(agents(64).slice(29, 59).map((m) => m.email));
    const third = await page('?page=3');
    expect(third).toMatchObject({ page_count: 3, total_count: 65 });
    expect(third.staff.map((m) => m.name)).toEqual(['Agent 60', 'Agent 61', 'Agent 62', 'Agent 63', 'Agent 64']);
    expect((await page('?page=4')).staff).toEqual([]);
    expect((await page('')).staff[0]?.email).toBe('importer@example.com');
    const everyone = [...first.staff, ...(await page('?page=2')).staff, ...third.staff].map((m) => Date.parse(m.created_at));
    expect([...everyone].sort((a, b) => a - b)).toEqual(everyone);
    expect(new Set(everyone).size).toBe(65);
  });

  it("lists only the token's user by default, names defaulting to the e-mail's local part, duplicates once", async () => {
    expect((await call(await sandboxFor(), 'GET', '/staff')).body).toEqual({
      page_size: 30,
      page_count: 1,
      total_count: 1,
      staff: [{ name: 'Importer', email: 'importer@example.com', created_at: expect.any(String) }],
    });
    const sandbox = await sandboxFor({
      staff: [{ email: 'ann@acme.test' }, { email: 'ANN@acme.test', name: 'Other' }, { email: 'Importer@Example.com', name: 'Lead' }],
    });
    const { staff } = (await call(sandbox, 'GET', '/staff')).body as StaffListing;
    expect(staff.map(({ name, email }) => ({ name, email }))).toEqual([
      { name: 'Lead', email: 'importer@example.com' },
      { name: 'ann', email: 'ann@acme.test' },
    ]);
  });

  it('follows the same credentials, Accept and .json rules as the other routes, and is counted', async () => {
    const sandbox = await sandboxFor();
    expect(await call(sandbox, 'GET', '/staff', undefined, { headers: { Authorization: null } })).toMatchObject({
      status: 403,
      body: { error: 'Invalid credentials' },
    });
    expect((await call(sandbox, 'GET', '/staff', undefined, { headers: { Authorization: basic('importer@example.com', 'x') } })).status).toBe(403);
    expect((await call(sandbox, 'GET', '/staff', undefined, { headers: { Accept: 'text/html' } })).status).toBe(406);
    expect((await call(sandbox, 'GET', '/staff.json', undefined, { headers: { Accept: null } })).status).toBe(200);
    const post = await call(sandbox, 'POST', '/staff', { staff: { email: 'new@acme.test' } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    expect((await call(sandbox, 'GET', '/staff/1')).status).toBe(404);
    expect(sandbox.stats().byRoute).toEqual({ 'GET /staff': 4, 'POST /staff': 1, 'GET other': 1 });
  });

  it('is rate limited like the rest', async () => {
    const sandbox = await sandboxFor({ rateLimit: 1 });
    expect((await call(sandbox, 'GET', '/staff')).status).toBe(200);
    expect(await call(sandbox, 'GET', '/staff')).toMatchObject({ status: 429, body: { error: 'Too Many Requests' } });
  });

  it('answers 404 when the listing is off, and still asks for credentials first', async () => {
    const sandbox = await sandboxFor({ staff: agents(2), staffListing: false });
    expect(await call(sandbox, 'GET', '/staff')).toMatchObject({ status: 404, body: { error: 'Not Found' } });
    expect((await call(sandbox, 'GET', '/staff', undefined, { headers: { Authorization: null } })).status).toBe(403);
    sandbox.setOptions({ staffListing: true });
    expect(((await call(sandbox, 'GET', '/staff')).body as StaffListing).total_count).toBe(3);
  });

  it('takes a new list, or a new login e-mail, at run time', async () => {
    const sandbox = await sandboxFor({ staff: agents(3) });
    sandbox.setOptions({ staff: [{ name: 'Zoe', email: 'zoe@acme.test' }] });
    const emails = async () => ((await call(sandbox, 'GET', '/staff')).body as StaffListing).staff.map((m) => m.email);
    expect(await emails()).toEqual(['importer@example.com', 'zoe@acme.test']);
    expect(sandbox.options().staff).toEqual([{ name: 'Zoe', email: 'zoe@acme.test' }]);
    sandbox.setOptions({ email: 'lead@acme.test', token: 't' });
    const reply = await call(sandbox, 'GET', '/staff', undefined, { headers: { Authorization: basic('lead@acme.test', 't') } });
    expect((reply.body as StaffListing).staff.map((m) => m.email)).toEqual(['lead@acme.test', 'zoe@acme.test']);
  });

  it('refuses a staff member without a usable e-mail, at start and at run time', async () => {
    await expect(startSandbox({ staff: [{ email: 'not-an-email' }] })).rejects.toThrow(/sandbox staff e-mail must be an e-mail address, got "not-an-email"/);
    const sandbox = await sandboxFor();
    expect(() => sandbox.setOptions({ staff: [{ name: 'No mail' } as never] })).toThrow(RangeError);
    expect(() => sandbox.setOptions({ staffListing: 'no' as never })).toThrow(/staffListing must be true or false/);
    expect(sandbox.options()).toMatchObject({ staff: [], staffListing: true });
  });

  it('says in the banner who else is staff and whether the list is readable', async () => {
    const sandbox = await sandboxFor({ staff: agents(2), staffListing: false });
    expect(formatSandboxBanner(sandbox)).toContain("  staff: the token's user and 2 others · GET /staff: 404 (listing off)\n");
    expect(formatSandboxBanner(await sandboxFor())).not.toContain('staff:');
  });
});
