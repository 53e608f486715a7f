import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { error, json, type Answer } from './answer.js';
import { handleApi, type ApiContext } from './api.js';
import { FaultPlan } from './faults.js';
import { acceptsJson, delay, dripJson, parseBasicAuth, readBody, sameSecret, sendHtml, sendJson } from './http.js';
import { copyOptions, mergeSandboxOptions, SANDBOX_DEFAULTS } from './options.js';
import { SlidingWindowLimiter } from './rate-limit.js';
import { API_PREFIX, parseApiRoute, routeLabel } from './routes.js';
import { StaffRoster } from './staff.js';
import { StatsRecorder } from './stats.js';
import { ConversationStore } from './store.js';
import type { NormalizedSandboxOptions, Sandbox, SandboxCredential, SandboxOptions } from './types.js';
import { localPart } from './validate-fields.js';

const HOST = '127.0.0.1';
const CONTROL_PREFIX = '/__sandbox/';

/** Starts a Re:amaze-compatible server on 127.0.0.1 (port 0 by default: any free port). */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const state = new SandboxState(mergeSandboxOptions(copyOptions(SANDBOX_DEFAULTS), options));
  // handle() answers its own errors; this only keeps a sandbox bug from becoming an unhandled rejection.
  const server = createServer((req, res) => void state.handle(req, res).catch(() => req.socket.destroy()));
  const port = await listen(server, options.port ?? 0);
  return {
    url: `http://${HOST}:${port}/api/v1`,
    port,
    options: () => copyOptions(state.ctx.options),
    conversations: () => state.ctx.store.all(),
    senders: () => state.ctx.store.senders(),
    stats: () => state.ctx.stats.snapshot(),
    deleteConversation: (slug) => state.ctx.store.remove(slug),
    setStatus: (slug, status) => state.ctx.store.setStatus(slug, status),
    removeMessage: (slug, index) => state.ctx.store.removeMessage(slug, index),
    setOptions: (patch) => state.setOptions(patch),
    reset: () => state.reset(),
    close: () => state.close(server),
  };
}

/** Everything one sandbox holds, and the request path from socket to answer. */
class SandboxState {
  readonly ctx: ApiContext;
  private readonly limiter = new SlidingWindowLimiter();
  private readonly closing = new AbortController();
  private readonly hangs = new Set<NodeJS.Timeout>();

  constructor(options: NormalizedSandboxOptions) {
    // Every answer held by the latency (or dripping) listens for the close: many at once is normal.
    setMaxListeners(0, this.closing.signal);
    const stats = new StatsRecorder();
    this.ctx = {
      options,
      stats,
      store: new ConversationStore(options.seed, stats),
      faults: new FaultPlan(options.faults, options.faultRates, options.seed),
      staff: new StaffRoster(),
    };
    replaceStaff(this.ctx.staff, options);
  }

  /** One request: read it whole, decide the answer, then deliver it (after the configured latency). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    const method = req.method ?? 'GET';
    let body: Buffer | null;
    try {
      body = await readBody(req);
    } catch {
      return; // the client went away before sending everything: nobody to answer
    }
    if (url.pathname.startsWith(CONTROL_PREFIX)) return this.control(method, url.pathname, url.searchParams, res);
    const route = routeLabel(method, url.pathname);
    this.ctx.stats.request(route);
    let answer: Answer;
    try {
      answer = this.decide(req, method, url, body);
    } catch {
      answer = error(500, 'Internal Server Error'); // a sandbox bug must not hang the client
    }
    this.ctx.stats.log({ at, route, status: statusOf(answer), ...(answer.kind === 'json' && answer.retryAt !== undefined ? { retryAt: answer.retryAt } : {}) });
    await this.deliver(req, res, answer);
  }

  /** Changes options at run time; faults and seed reach the fault plan at once. */
  setOptions(patch: Partial<SandboxOptions>): void {
    const next = mergeSandboxOptions(this.ctx.options, patch);
    if (patch.faults !== undefined) this.ctx.faults.setScripted(next.faults);
    if (patch.faultRates !== undefined) this.ctx.faults.setRates(next.faultRates);
    if (patch.seed !== undefined) this.ctx.faults.setSeed(next.seed);
    // The token's user is always staff, so a new login e-mail changes the list too.
    if (patch.staff !== undefined || patch.email !== undefined || patch.credentials !== undefined) replaceStaff(this.ctx.staff, next);
    this.ctx.options = next;
  }

  /** Back to the state just after start, with the options now in force. */
  reset(): void {
    this.ctx.store.clear(this.ctx.options.seed);
    this.ctx.stats.clear();
    this.ctx.faults.restart();
    this.limiter.clear();
  }

  /** Stops listening and destroys every socket: idle keep-alive ones, waiting ones and hung ones. */
  close(server: Server): Promise<void> {
    this.closing.abort();
    for (const timer of this.hangs) clearTimeout(timer);
    this.hangs.clear();
    return new Promise((resolve) => {
      server.close(() => resolve()); // an error here only means "already closed"
      server.closeAllConnections();
    });
  }

  // The order is the contract: 404 outside /api/v1, then auth, rate limit, Accept, and the route.
  private decide(req: IncomingMessage, method: string, url: URL, body: Buffer | null): Answer {
    if (!url.pathname.startsWith(API_PREFIX)) return error(404, 'Not Found');
    const { options } = this.ctx;
    // A moved host answers before it looks at anything, credentials included.
    if (options.redirectTo !== null) return json(302, { error: 'Moved' }, { Location: options.redirectTo.replace(/\/$/, '') + url.pathname.slice(API_PREFIX.length - 1) + url.search });
    const auth = parseBasicAuth(req.headers.authorization);
    const login = auth === null ? undefined : loginOf(options, auth);
    if (!auth || !login) return error(403, 'Invalid credentials');
    // Checked before anything is parsed or created: a 429 never creates. Each token has its own bucket.
    const rate = this.limiter.check(auth.password, login.rateLimit === undefined ? options.rateLimit : login.rateLimit);
    if (!rate.allowed) return tooManyRequests(options.retryAfter, rate.retryAfterSeconds);
    const route = parseApiRoute(url.pathname);
    if (!route.jsonSuffix && !acceptsJson(req.headers.accept)) return error(406, 'Accept header must be application/json');
    if (body === null) return error(413, 'Payload Too Large');
    return handleApi(this.ctx, method, route, url.searchParams, body, login.email);
  }

  // Stats record the decision before the latency, so they are current as soon as anything was created.
  private async deliver(req: IncomingMessage, res: ServerResponse, answer: Answer): Promise<void> {
    const { stats, options } = this.ctx;
    stats.outcome(statusOf(answer));
    await delay(options.latencyMs, this.closing.signal);
    if (answer.kind === 'json') return sendJson(res, answer.status, answer.body, answer.headers);
    if (answer.kind === 'html') return sendHtml(res, answer.status, answer.text);
    if (answer.kind === 'drip') return dripJson(res, answer.status, answer.body, options.dripMs, this.closing.signal);
    if (answer.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    this.hold(req, options.hangMs);
  }

  // A hung request keeps its socket until hangMs passes, the client gives up, or close().
  private hold(req: IncomingMessage, hangMs: number): void {
    if (this.closing.signal.aborted) return void req.socket.destroy();
    const timer = setTimeout(() => {
      this.hangs.delete(timer);
      req.socket.destroy();
    }, hangMs);
    this.hangs.add(timer);
    req.socket.once('close', () => {
      clearTimeout(timer);
      this.hangs.delete(timer);
    });
  }

  private control(method: string, pathname: string, query: URLSearchParams, res: ServerResponse): void {
    const { store, stats } = this.ctx;
    if (method === 'GET' && pathname === `${CONTROL_PREFIX}conversations`) {
      const conversations = store.all();
      return sendJson(res, 200, { total_count: conversations.length, conversations });
    }
    if (method === 'GET' && pathname === `${CONTROL_PREFIX}stats`) return sendJson(res, 200, stats.snapshot());
    if (method === 'POST') return this.admin(pathname.slice(CONTROL_PREFIX.length), query, res);
    sendJson(res, 404, { error: 'Not Found' });
  }

  /**
   * What an admin does in the web app, for rehearsing `verify`: POST /__sandbox/conversations/{slug}/delete,
   * /conversations/{slug}/status?value=N, /conversations/{slug}/messages/{index}/delete.
   */
  private admin(path: string, query: URLSearchParams, res: ServerResponse): void {
    const { store } = this.ctx;
    const match = /^conversations\/([^/]+)\/(delete|status|messages\/(\d+)\/delete)$/.exec(path);
    const slug = decodeURIComponent(match?.[1] ?? '');
    let done = false;
    if (match?.[2] === 'delete') done = store.remove(slug);
    else if (match?.[2] === 'status') done = query.get('value') !== null && store.setStatus(slug, Number(query.get('value')));
    else if (match?.[3] !== undefined) done = store.removeMessage(slug, Number(match[3]));
    if (done) sendJson(res, 200, { ok: true });
    else sendJson(res, 404, { error: 'Not Found' });
  }
}

/** The login these Basic-auth credentials are: the options' own, or one of `credentials`; undefined when none. */
function loginOf(options: NormalizedSandboxOptions, auth: { user: string; password: string }): SandboxCredential | undefined {
  return [{ email: options.email, token: options.token }, ...options.credentials]
    .find((login) => login.email.toLowerCase() === auth.user.toLowerCase() && sameSecret(auth.password, login.token));
}

/** The staff list: the token's user, every other login's user, then the staff named. */
function replaceStaff(roster: StaffRoster, options: NormalizedSandboxOptions): void {
  roster.replace(options.email, [...options.credentials.map((login) => ({ name: localPart(login.email), email: login.email })), ...options.staff]);
}

/** The status an answer is counted and logged under. */
function statusOf(answer: Answer): number | 'dropped' | 'hung' | 'dripped' {
  if (answer.kind === 'json' || answer.kind === 'html') return answer.status;
  return answer.kind === 'drop' ? 'dropped' : answer.kind === 'hang' ? 'hung' : 'dripped';
}

/** A 429, with Retry-After in the form asked for; `retryAt` the time it names. */
function tooManyRequests(form: NormalizedSandboxOptions['retryAfter'], seconds: number): Answer {
  const body = { error: 'Too Many Requests' };
  if (form === false) return json(429, body);
  if (form !== 'date') return { kind: 'json', status: 429, body, headers: { 'Retry-After': String(seconds) }, retryAt: Date.now() + seconds * 1000 };
  // An HTTP date has whole seconds: the next whole second at least `seconds` ahead.
  const retryAt = Math.ceil((Date.now() + seconds * 1000) / 1000) * 1000;
  return { kind: 'json', status: 429, body, headers: { 'Retry-After': new Date(retryAt).toUTCString() }, retryAt };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
