// Records built to break a reader: one bad record is one row error naming its file and line, and
// every other row goes on.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { hasStackTrace, runCli, tempDir } from '../helpers/cli.js';
import { sandbox, sandboxEnv } from '../helpers/sandbox.js';

let dir: string;
let cleanup: () => Promise<void>;
let server: Sandbox | undefined;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => {
  await server?.close();
  server = undefined;
  await cleanup();
});

/** A mapping reading `meta` into data, for JSONL or a JSON document. */
async function mapping(format: 'jsonl' | 'json'): Promise<string> {
  const path = join(dir, `${format}-mapping.json`);
  await writeFile(path, JSON.stringify({
    source: { format, key: 'id' },
    conversation: {
      subject: '{{subject}}', category: 'support', data: { legacy_meta: '{{meta}}' },
      message: { body: '{{body}}' }, user: { email: '{{email}}' },
    },
  }));
  return path;
}

/** Ticket `n` as JSON text, its `meta` (and an unmapped `extra`) given as JSON text. */
const ticket = (n: number, meta = JSON.stringify(`m${n}`), extra = '0') =>
  `{"id":"T${n}","subject":"Subject ${n}","body":"Body ${n}","email":"t${n}@example.com","meta":${meta},"extra":${extra}}`;

/** `levels` objects, each holding the next. */
const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

/** 100 tickets, ticket 50's `meta` nested `levels` deep. */
const tickets = (levels: number) => Array.from({ length: 100 }, (_, i) => ticket(i + 1, i === 49 ? nested(levels) : undefined));

describe('a record nested 100,000 levels deep', () => {
  it('is one row error in JSONL (its line); the 99 others are imported', async () => {
    const file = join(dir, 'tickets.jsonl');
    await writeFile(file, `${tickets(100_000).join('\n')}\n`);
    server = await sandbox();
    const result = await runCli(['run', file, '--mapping', await mapping('jsonl'), '--ledger', join(dir, 'import.ledger'), '--rate', '1000', '--json', '--quiet'], { env: sandboxEnv(server) });
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 100, done: 99, invalid: 1 });
    expect(server.conversations()).toHaveLength(99);
    const failures = join(dir, 'failures.jsonl');
    await runCli(['failures', '--ledger', join(dir, 'import.ledger'), '--out', failures]);
    const { readFile } = await import('node:fs/promises');
    const [row] = (await readFile(failures, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(row).toMatchObject({ file, line: 50, state: 'invalid', error: 'the record is nested deeper than 64 levels (objects or arrays inside one another): flatten it in the export, or leave it out' });
  });

  it('is one row error in a JSON document (the line it starts on); validate goes on', async () => {
    const file = join(dir, 'tickets.json');
    await writeFile(file, `[\n${tickets(100_000).join(',\n')}\n]\n`);
    const result = await runCli(['validate', file, '--mapping', await mapping('json'), '--json']);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 100, valid: 99, invalid: 1 });
  });

  it('is read as usual at 64 levels, the record itself the first; 65 are refused', async () => {
    const file = join(dir, 'tickets.jsonl');
    await writeFile(file, `${ticket(1, undefined, nested(63))}\n${ticket(2, undefined, nested(64))}\n`);
    const result = await runCli(['validate', file, '--mapping', await mapping('jsonl'), '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 2, valid: 1, invalid: 1 });
  });
});

describe('columns named like the properties of every object', () => {
  it('are ordinary columns: __proto__ and constructor arrive in data and the body as the export holds them', async () => {
    server = await sandbox();
    const file = join(dir, 'tickets.csv');
    await writeFile(file, 'id,subject,body,email,__proto__,constructor\n1,S,B,a@example.com,proto-value,ctor-value\n');
    const mappingFile = join(dir, 'proto-mapping.json');
    await writeFile(mappingFile, JSON.stringify({
      source: { key: 'id' },
      conversation: {
        subject: '{{subject}}', category: 'support', message: { body: '{{body}} {{__proto__}} {{constructor}}' },
        user: { email: '{{email}}' }, data: { legacy_proto: '{{__proto__}}', legacy_constructor: '{{constructor}}' },
      },
    }));
    const result = await runCli(['run', file, '--mapping', mappingFile, '--ledger', join(dir, 'l.ledger'), '--rate', '100', '--quiet'], { env: sandboxEnv(server) });
    expect(result.code).toBe(0);
    const [held] = server.conversations();
    expect(held?.data).toMatchObject({ legacy_proto: 'proto-value', legacy_constructor: 'ctor-value' });
    expect(held?.messages[0]?.body).toBe('B proto-value ctor-value');
  });
});
