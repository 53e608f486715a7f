import { afterEach } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox/index.js';

const open: Sandbox[] = [];

/** Closes every sandbox a test started; call once at the top of a test file. */
export function closeSandboxesAfterEach(): void {
  afterEach(async () => {
    await Promise.all(open.splice(0).map((sandbox) => sandbox.close()));
  });
}

/** A sandbox on a free port, closed after the test. */
export async function sandboxFor(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = await startSandbox(options);
  open.push(sandbox);
  return sandbox;
}

/** A Basic Authorization header. */
export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Headers a well-behaved importer sends with the sandbox's default credentials. */
export function goodHeaders(): Record<string, string> {
  return {
    Authorization: basic('importer@example.com', 'sandbox-token'),
    Accept: 'application/json',
    'Content-Type': 'application/json',
  };
}

/** A parsed answer. */
export interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

/** One request to the API (path relative to the base URL), with good headers unless overridden. */
export async function call(
  sandbox: Sandbox,
  method: string,
  path: string,
  body?: unknown,
  init: { headers?: Record<string, string | null>; signal?: AbortSignal } = {},
): Promise<Reply> {
  const headers: Record<string, string> = goodHeaders();
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    if (value === null) delete headers[name];
    else headers[name] = value;
  }
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? null : JSON.parse(text) };
}

/** A valid POST /conversations body for this key, with both suppress flags set. */
export function conversationBody(key: string, extra: Record<string, unknown> = {}): { conversation: Record<string, unknown> } {
  return {
    conversation: {
      subject: `Ticket ${key}`,
      category: 'support',
      data: { import_key: key },
      message: { body: `Body of ${key}`, suppress_notification: true, suppress_notifications: true },
      user: { name: 'Bob', email: 'bob@example.com' },
      ...extra,
    },
  };
}

/** POSTs a conversation for this key. */
export function createConversation(sandbox: Sandbox, key: string, extra: Record<string, unknown> = {}): Promise<Reply> {
  return call(sandbox, 'POST', '/conversations', conversationBody(key, extra));
}

/** Waits until the condition holds (polling), or fails after `ms`. */
export async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
