import http from 'node:http';
import https from 'node:https';
import { describeErrno, ImportError } from '../errors.js';
import { VERSION } from '../version.js';
import { classifyResponse, type Outcome } from './retry-policy.js';

/** How to reach the API. */
export interface ClientOptions {
  /** `https://{brand}.reamaze.io/api/v1`, or a loopback `http://` URL (the sandbox). */
  baseUrl: string;
  /** The staff member's login e-mail (Basic auth user). */
  email: string;
  /** The API token (Basic auth password); never printed, logged or stored. */
  token: string;
  /** Deadline for one request, from connecting to the last byte of the answer. Default 30 s. */
  timeoutMs?: number;
  /** Sockets kept open to the API. Default 16. */
  maxSockets?: number;
}

/** The longest answer body read (a conversation is a few kB). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The base URL checked: https, or plain http only to this machine (the sandbox). */
export function checkBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ImportError('CONFIG_INVALID', `The base URL "${baseUrl}" is not a URL: give one like https://yourbrand.reamaze.io/api/v1.`);
  }
  const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ImportError('CONFIG_INVALID', `The base URL ${url.origin} is not https: plain http is allowed only to this machine (127.0.0.1, localhost), so the token is never sent in clear.`);
  }
  if (url.username || url.password) {
    throw new ImportError('CONFIG_INVALID', 'The base URL must not carry a user or password: pass the e-mail and token as credentials.');
  }
  return url;
}

/** One message as a thread's listing shows it: what reconciling can weigh. */
export interface ListedMessage {
  /** Its origin_id: a string, null (listed as none), or undefined (the listing has no such field). */
  originId: string | null | undefined;
  /** Its body, undefined when the listing shows none. */
  body: string | undefined;
}

/** One page of a thread's messages, as reconciling reads it. */
export interface MessagePage {
  messages: ListedMessage[];
  /** The thread's pages, when the answer says. */
  pageCount: number | undefined;
}

/** One page of GET /staff: the members with an e-mail, as the importer matches authors and assignees. */
export interface StaffPage {
  staff: { email: string; name?: string }[];
  /** Entries on the page, unreadable ones included: a full page means there may be another. */
  size: number;
  /** The list's pages, when the answer says. */
  pageCount: number | undefined;
}

/** One Re:amaze API token: sends one request and classifies what came back; never retries. */
export class ReamazeClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  /** How to end each request still waiting for its answer. */
  private readonly inFlight = new Set<() => void>();

  constructor(options: ClientOptions) {
    this.base = checkBaseUrl(options.baseUrl);
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 16 };
    this.agent = this.base.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.authorization = `Basic ${Buffer.from(`${options.email}:${options.token}`).toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** POST /conversations. */
  createConversation(body: unknown): Promise<Outcome> {
    return this.request('POST', '/conversations', body);
  }

  /**
   * GET /conversations?filter=all&data[field]=value: the slugs of conversations carrying that key.
   * An answer listing a conversation without that pair was not filtered (an API that ignores the
   * filter, a proxy that drops the query): when it shows no match, that proves nothing about
   * absence, and the answer is `undecidable`.
   */
  async findByData(field: string, value: string): Promise<{ slugs: string[] } | Outcome> {
    const query = new URLSearchParams({ filter: 'all', [`data[${field}]`]: value });
    const outcome = await this.request('GET', `/conversations?${query}`);
    if (outcome.kind !== 'created') return outcome;
    const list = (outcome.body as { conversations?: { slug?: unknown; data?: Record<string, unknown> }[] } | undefined)?.conversations;
    if (!Array.isArray(list)) return { kind: 'unknown', reason: 'the lookup answer has no conversations list' };
    // Only an exact match counts: the data[...] filter is known from client libraries, not the
    // docs, and a looser match (a prefix, a number) would mark a ticket done that was never created.
    const carries = (conversation: (typeof list)[number]) => String(conversation?.data?.[field] ?? '') === value;
    const matches = list.filter(carries);
    if (matches.length === 0 && list.length > 0) {
      return { kind: 'undecidable', status: outcome.status, reason: `GET /conversations?data[${field}]=… listed conversations without that key: the answer was not filtered (by the API or a proxy), so it cannot tell whether the conversation exists` };
    }
    return { slugs: matches.map((conversation) => String(conversation.slug)) };
  }

  /** POST /conversations/{slug}/messages. */
  addMessage(slug: string, body: unknown): Promise<Outcome> {
    return this.request('POST', `/conversations/${encodeURIComponent(slug)}/messages`, body);
  }

  /** GET /conversations/{slug}: the conversation as the API holds it (`created` with its body; 404: `not-found`). */
  getConversation(slug: string): Promise<Outcome> {
    return this.request('GET', `/conversations/${encodeURIComponent(slug)}`);
  }

  /** PUT /conversations/{slug}: the final status and tags of an imported thread. */
  updateConversation(slug: string, body: unknown): Promise<Outcome> {
    return this.request('PUT', `/conversations/${encodeURIComponent(slug)}`, body);
  }

  /**
   * GET /conversations/{slug}/messages?page=N: one page of a thread, each message's `origin_id`
   * and body as far as the listing shows them, and the page count when the answer gives one.
   */
  async messagePage(slug: string, page: number): Promise<MessagePage | Outcome> {
    const outcome = await this.request('GET', `/conversations/${encodeURIComponent(slug)}/messages?page=${page}`);
    if (outcome.kind !== 'created') return outcome;
    const answer = outcome.body as { messages?: unknown[]; page_count?: unknown } | undefined;
    if (!Array.isArray(answer?.messages)) return { kind: 'unknown', reason: 'the messages answer has no messages list' };
    const messages = answer.messages.map((entry): ListedMessage => {
      const { origin_id: origin, body } = (entry !== null && typeof entry === 'object' ? entry : {}) as { origin_id?: unknown; body?: unknown };
      const originId = origin === undefined ? undefined : origin === null || origin === '' ? null : String(origin);
      return { originId, body: typeof body === 'string' ? body : undefined };
    });
    const pages = Number(answer.page_count);
    return { messages, pageCount: Number.isInteger(pages) && pages > 0 ? pages : undefined };
  }

  /**
   * GET /staff?page=N: one page of the staff list. The answer's shape is documented only loosely,
   * so the list is read under `staff`, under `users`, or as the body itself; an entry without a
   * string e-mail cannot name anyone and is skipped.
   */
  async staffPage(page: number): Promise<StaffPage | Outcome> {
    const outcome = await this.request('GET', `/staff?page=${page}`);
    if (outcome.kind !== 'created') return outcome;
    const list = staffListOf(outcome.body);
    if (!list) return { kind: 'unknown', reason: 'the staff answer has no staff list' };
    const staff: StaffPage['staff'] = [];
    for (const entry of list) {
      const { email, name } = (entry ?? {}) as { email?: unknown; name?: unknown };
      if (typeof email !== 'string' || email.trim() === '') continue;
      staff.push(typeof name === 'string' && name.trim() !== '' ? { email: email.trim(), name } : { email: email.trim() });
    }
    const pages = Number((outcome.body as { page_count?: unknown } | undefined)?.page_count);
    return { staff, size: list.length, pageCount: Number.isInteger(pages) && pages > 0 ? pages : undefined };
  }

  /**
   * Ends every request still waiting for its answer (a run stopping after its grace): each
   * settles as unknown when it was sent, not sent otherwise, as a dropped socket would.
   */
  abortInFlight(): void {
    for (const abort of [...this.inFlight]) abort();
  }

  /** Ends what is in flight and closes the kept-alive sockets. */
  close(): void {
    this.abortInFlight();
    this.agent.destroy();
  }

  private request(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<Outcome> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    return new Promise((resolve) => {
      let written = false;
      let settled = false;
      // A deadline for the whole exchange (connect, send, headers, body), not a socket-idle
      // timeout: an answer that drips a byte at a time still runs out of time.
      const deadline = setTimeout(() => {
        finish(transportOutcome(method, url.pathname, new TimeoutError(), written));
        request.destroy();
      }, this.timeoutMs);
      const finish = (outcome: Outcome) => {
        clearTimeout(deadline);
        this.inFlight.delete(abort);
        if (settled) return;
        settled = true;
        resolve(outcome);
      };
      const abort = () => {
        finish(transportOutcome(method, url.pathname, new StoppedError(), written));
        request.destroy();
      };
      this.inFlight.add(abort);
      const request = (url.protocol === 'https:' ? https : http).request(url, {
        method,
        agent: this.agent,
        headers: {
          Authorization: this.authorization,
          Accept: 'application/json',
          'User-Agent': `reamaze-import/${VERSION}`,
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
        },
      });
      request.on('finish', () => (written = true));
      request.on('error', (error) => finish(transportOutcome(method, url.pathname, error, written)));
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_BODY_BYTES) chunks.push(chunk);
        });
        response.on('error', (error) => finish(transportOutcome(method, url.pathname, error, true)));
        response.on('end', () => {
          const retryAfter = response.headers['retry-after'];
          finish(classifyResponse(response.statusCode ?? 0, retryAfter, Buffer.concat(chunks).toString('utf8'), Date.now(), response.headers.location));
        });
      });
      request.end(payload);
    });
  }
}

/** The staff entries of an answer: `{"staff": [...]}`, `{"users": [...]}` or a bare list; null when none. */
function staffListOf(body: unknown): unknown[] | null {
  if (Array.isArray(body)) return body;
  if (body === null || typeof body !== 'object') return null;
  const { staff, users } = body as { staff?: unknown; users?: unknown };
  if (Array.isArray(staff)) return staff;
  return Array.isArray(users) ? users : null;
}

class StoppedError extends Error {
  override readonly name = 'StoppedError';
  readonly code = 'ESTOPPED_RUN';
}

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ETIMEDOUT_REQUEST';
}

/**
 * A failure without an answer. Before the request was written (refused, DNS, reset while
 * connecting) nothing was processed; after it, the server may have acted on it: unknown.
 */
function transportOutcome(method: string, path: string, error: Error, written: boolean): Outcome {
  const code = (error as { code?: string }).code ?? '';
  const what = code === 'ETIMEDOUT_REQUEST' ? 'no answer in time' : code === 'ESTOPPED_RUN' ? 'the run stopped waiting for the answer' : describeErrno(error);
  const where = `${method} ${path}`;
  if (!written) return { kind: 'not-sent', reason: `${where}: ${what} before the request was sent` };
  return { kind: 'unknown', reason: `${where}: ${what} after the request was sent` };
}
