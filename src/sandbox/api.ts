import { answerWithFault, error, json, type Answer } from './answer.js';
import type { FaultPlan } from './faults.js';
import type { ApiRoute } from './routes.js';
import type { StaffRoster } from './staff.js';
import type { StatsRecorder } from './stats.js';
import { paginate, type ConversationQuery, type ConversationStore, type Writer } from './store.js';
import type { HeldConversation, NormalizedSandboxOptions } from './types.js';
import { checkConversationPatch, checkNewConversation, checkNewMessage, isObject } from './validate.js';
import { localPart } from './validate-fields.js';
import { conversationView, listedMessageView, messageView } from './views.js';

/** What the API handlers work on. */
export interface ApiContext {
  options: NormalizedSandboxOptions;
  store: ConversationStore;
  faults: FaultPlan;
  stats: StatsRecorder;
  /** The token's user and `options.staff`, rebuilt when either changes. */
  staff: StaffRoster;
}

type Unwrapped = { ok: true; value: Record<string, unknown> } | { ok: false; answer: Answer };

/** Answers an authenticated, accepted, not rate-limited request under /api/v1; `login` is the e-mail it authenticated as (default: the options' `email`). */
export function handleApi(ctx: ApiContext, method: string, route: ApiRoute, query: URLSearchParams, body: Buffer, login = ctx.options.email): Answer {
  const slug = route.slug ?? '';
  switch (route.resource) {
    case 'conversations':
      if (method === 'GET') return listConversations(ctx, query);
      if (method === 'POST') return createConversation(ctx, body, login);
      return notAllowed('GET, POST');
    case 'conversation':
      if (method === 'GET') return withConversation(ctx, slug, (held) => json(200, conversationView(held)));
      if (method === 'PUT') return updateConversation(ctx, slug, body);
      return notAllowed('GET, PUT');
    case 'messages':
      if (method === 'GET') return listMessages(ctx, slug, query);
      if (method === 'POST') return createMessage(ctx, slug, body, login);
      return notAllowed('GET, POST');
    case 'staff':
      // POST /staff exists in Re:amaze but adds a paid seat: the sandbox does not offer it.
      return method === 'GET' ? listStaff(ctx, query) : notAllowed('GET');
    default:
      return error(404, 'Not Found');
  }
}

function listConversations(ctx: ApiContext, query: URLSearchParams): Answer {
  const parsed = parseQuery(query);
  // An API (or a proxy in front of it) that drops the data filter lists everything.
  const page = ctx.store.list(ctx.options.ignoreDataFilter ? { ...parsed, data: [] } : parsed);
  const { items, ...envelope } = page;
  return json(200, { ...envelope, conversations: items.map(conversationView) });
}

function createConversation(ctx: ApiContext, body: Buffer, login: string): Answer {
  const input = unwrap(body, 'conversation');
  if (!input.ok) return input.answer;
  const checked = checkNewConversation(input.value, ctx.options.channels);
  if (!checked.ok) return json(422, { errors: checked.errors });
  const keyValue = checked.value.data[ctx.options.keyField];
  const key = keyValue === undefined ? null : String(keyValue);
  // Faults come after validation: a scripted fault is spent only by a request that could succeed.
  const fault = ctx.faults.take(key, true);
  const create = () => conversationView(ctx.store.create(checked.value, writerOf(ctx, login)));
  return answerWithFault(fault, { key, target: 'conversation', okStatus: ctx.options.createdStatus, create }, ctx.stats);
}

function updateConversation(ctx: ApiContext, slug: string, body: Buffer): Answer {
  return withConversation(ctx, slug, (held) => {
    const input = unwrap(body, 'conversation');
    if (!input.ok) return input.answer;
    const checked = checkConversationPatch(input.value, (email) => ctx.staff.find(email));
    if (!checked.ok) return json(422, { errors: checked.errors });
    return json(200, conversationView(ctx.store.update(held, checked.value)));
  });
}

function listMessages(ctx: ApiContext, slug: string, query: URLSearchParams): Answer {
  return withConversation(ctx, slug, (held) => {
    // An API may list replies only, without the message the conversation opened with.
    const listed = ctx.options.listsOpener ? held.messages : held.messages.slice(1);
    const { items, ...envelope } = paginate(listed, parsePage(query.get('page')));
    return json(200, { ...envelope, messages: items.map((message) => listedMessageView(message, ctx.options)) });
  });
}

function createMessage(ctx: ApiContext, slug: string, body: Buffer, login: string): Answer {
  return withConversation(ctx, slug, (held) => {
    const input = unwrap(body, 'message');
    if (!input.ok) return input.answer;
    const checked = checkNewMessage(input.value);
    if (!checked.ok) return json(422, { errors: checked.errors });
    const key = checked.value.origin_id;
    // Messages take scripted faults by origin_id; random faults only with `messageFaults`.
    const fault = ctx.faults.take(key, ctx.options.messageFaults);
    const create = () => messageView(ctx.store.addMessage(held, checked.value, writerOf(ctx, login)));
    return answerWithFault(fault, { key, target: 'message', okStatus: 201, create }, ctx.stats);
  });
}

// With the listing off, the answer is the 404 of an account (or a proxy) that does not show its staff.
function listStaff(ctx: ApiContext, query: URLSearchParams): Answer {
  if (!ctx.options.staffListing) return error(404, 'Not Found');
  const { items, ...envelope } = paginate(ctx.staff.all(), parsePage(query.get('page')));
  return json(200, { ...envelope, staff: items });
}

function withConversation(ctx: ApiContext, slug: string, then: (held: HeldConversation) => Answer): Answer {
  const held = ctx.store.get(slug);
  return held ? then(held) : error(404, 'Not Found');
}

/** The resource inside `{"<key>": {...}}`; invalid JSON or a missing key is a 400, as in Rails. */
function unwrap(body: Buffer, key: string): Unwrapped {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, answer: error(400, 'Invalid JSON') };
  }
  const inner = isObject(parsed) ? parsed[key] : undefined;
  if (!isObject(inner)) return { ok: false, answer: error(400, `param is missing or the value is empty: ${key}`) };
  return { ok: true, value: inner };
}

function parseQuery(query: URLSearchParams): ConversationQuery {
  const data: [string, string][] = [];
  for (const [name, value] of query) {
    const match = /^data\[(.+)\]$/.exec(name);
    if (match?.[1] !== undefined) data.push([match[1], value]);
  }
  return {
    filter: query.get('filter'),
    data,
    category: query.get('category'),
    tag: query.get('tag'),
    page: parsePage(query.get('page')),
  };
}

// A missing or nonsensical page is the first page, as lenient servers do.
function parsePage(value: string | null): number {
  const page = Number(value);
  return Number.isInteger(page) && page >= 1 ? page : 1;
}

function notAllowed(allow: string): Answer {
  return json(405, { error: 'Method Not Allowed' }, { Allow: allow });
}

// The staff member behind the request's token: the one a message without a user is filed under.
function writerOf({ options, staff }: ApiContext, login: string): Writer {
  return {
    staff: { name: localPart(login), email: login },
    isStaff: (email) => staff.find(email) !== undefined,
    keyField: options.keyField,
  };
}
