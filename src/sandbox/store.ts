import { seededRandom } from './random.js';
import type { StatsRecorder } from './stats.js';
import type { HeldConversation, HeldMessage, HeldSenders, HeldUser } from './types.js';
import type { ConversationPatch, NewConversation, NewMessage } from './validate.js';

/** Re:amaze's page size for conversations and messages. */
export const PAGE_SIZE = 30;

const ARCHIVED = 4;
const OPEN = 0;
const DONE = 2;

/** The GET /conversations parameters the sandbox understands. */
export interface ConversationQuery {
  /** null: everything but archived; 'all', 'archived', 'open', 'unassigned'. */
  filter: string | null;
  /** data[field]=value pairs; all must match, values compared as strings. */
  data: [string, string][];
  category: string | null;
  tag: string | null;
  /** From 1. */
  page: number;
}

/** One page of a listing, in Re:amaze's envelope minus the item key. */
export interface Page<T> {
  page_size: number;
  page_count: number;
  total_count: number;
  items: T[];
}

/** Who is writing: the staff user behind the token, who else is staff, and the data field that names a ticket. */
export interface Writer {
  staff: HeldUser;
  isStaff: (email: string) => boolean;
  keyField: string;
}

/** The conversations a sandbox holds, in creation order. */
export class ConversationStore {
  private held: HeldConversation[] = [];
  private bySlug = new Map<string, HeldConversation>();
  /** Conversations held per key (the writer's key field and the key's value), for counting duplicates. */
  private readonly keyCounts = new Map<string, number>();
  private readonly indexKeys = new WeakMap<HeldConversation, string>();
  private nextRandom: () => number;
  /** The login whose request created each conversation and message (kept beside them, not in what the API shows). */
  private sentBy = new WeakMap<object, string>();

  /** `seed` fixes the slugs; `now` is injectable for tests. */
  constructor(
    private seed: number,
    private readonly stats: StatsRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.nextRandom = seededRandom(seed);
  }

  /** Forgets everything and restarts the slug sequence (with a new seed when given). */
  clear(seed = this.seed): void {
    this.seed = seed;
    this.held = [];
    this.bySlug.clear();
    this.keyCounts.clear();
    this.nextRandom = seededRandom(seed);
  }

  /** Creates a conversation with its first message; counts duplicates by key and notifications. */
  create(input: NewConversation, writer: Writer): HeldConversation {
    const key = input.data[writer.keyField];
    // Counted by key, not by a scan of every conversation held: a rehearsal of a million tickets stays linear.
    const indexKey = key === undefined ? undefined : `${writer.keyField}\u0000${typeof key}:${String(key)}`;
    if (indexKey !== undefined && (this.keyCounts.get(indexKey) ?? 0) > 0) this.stats.duplicateKey();
    const at = this.now().toISOString();
    const conversation: HeldConversation = {
      slug: this.newSlug(input.subject),
      subject: input.subject,
      category: input.category,
      status: input.status,
      tag_list: [...input.tag_list],
      data: { ...input.data },
      created_at: at,
      updated_at: at,
      user: { ...input.user },
      assignee: null,
      messages: [],
    };
    // The first message is the customer's own unless `message.user` names its sender (an agent opening the ticket).
    this.pushMessage(conversation, { ...input.message, user: input.message.user ?? input.user }, writer, at);
    this.sentBy.set(conversation, writer.staff.email);
    this.held.push(conversation);
    this.bySlug.set(conversation.slug, conversation);
    if (indexKey !== undefined) {
      this.keyCounts.set(indexKey, (this.keyCounts.get(indexKey) ?? 0) + 1);
      this.indexKeys.set(conversation, indexKey);
    }
    return conversation;
  }

  /** The conversation with this slug, or undefined. */
  get(slug: string): HeldConversation | undefined {
    return this.bySlug.get(slug);
  }

  /** Newest first, filtered, one page. */
  list(query: ConversationQuery): Page<HeldConversation> {
    const matches = this.held.filter((held) => matchesQuery(held, query)).reverse();
    return paginate(matches, query.page);
  }

  /** Applies a PUT: status, tags and assignee replaced, data merged. */
  update(conversation: HeldConversation, patch: ConversationPatch): HeldConversation {
    if (patch.status !== undefined) conversation.status = patch.status;
    if (patch.assignee !== undefined) conversation.assignee = patch.assignee;
    if (patch.tag_list !== undefined) conversation.tag_list = [...patch.tag_list];
    if (patch.data !== undefined) conversation.data = { ...conversation.data, ...patch.data };
    conversation.updated_at = this.now().toISOString();
    return conversation;
  }

  /** Appends a reply or note; a public reply moves the status unless suppress_autoresolve is true. */
  addMessage(conversation: HeldConversation, input: NewMessage, writer: Writer): HeldMessage {
    const user = input.user ?? writer.staff;
    if (input.origin_id !== null && conversation.messages.some((held) => held.origin_id === input.origin_id)) {
      this.stats.duplicateOriginId();
    }
    const at = this.now().toISOString();
    const message = this.pushMessage(conversation, { ...input, user }, writer, at);
    if (input.visibility === 0 && !input.suppressAutoresolve) {
      // Re:amaze: a staff reply resolves the conversation, a customer reply reopens it.
      conversation.status = message.author === 'staff' ? DONE : OPEN;
    }
    conversation.updated_at = at;
    return message;
  }

  /** An admin deletes a conversation (a later GET is a 404); false when there is none with that slug. */
  remove(slug: string): boolean {
    const conversation = this.bySlug.get(slug);
    if (!conversation) return false;
    this.bySlug.delete(slug);
    this.held = this.held.filter((held) => held !== conversation);
    const indexKey = this.indexKeys.get(conversation);
    if (indexKey !== undefined) this.keyCounts.set(indexKey, (this.keyCounts.get(indexKey) ?? 1) - 1);
    return true;
  }

  /** An admin sets a conversation's status by hand; false when there is none with that slug. */
  setStatus(slug: string, status: number): boolean {
    const conversation = this.bySlug.get(slug);
    if (!conversation || !Number.isInteger(status)) return false;
    conversation.status = status;
    conversation.updated_at = this.now().toISOString();
    return true;
  }

  /** An admin deletes one message of a thread (0 is the one it opened with); false when there is no such message. */
  removeMessage(slug: string, index: number): boolean {
    const conversation = this.bySlug.get(slug);
    if (!conversation || !Number.isInteger(index) || index < 0 || index >= conversation.messages.length) return false;
    conversation.messages.splice(index, 1);
    conversation.updated_at = this.now().toISOString();
    return true;
  }

  /** Which login sent each conversation and each of its messages, in creation order. */
  senders(): HeldSenders[] {
    return this.held.map((held) => ({
      slug: held.slug,
      conversation: this.sentBy.get(held) ?? '',
      messages: held.messages.map((message) => this.sentBy.get(message) ?? ''),
    }));
  }

  /** Deep copies of everything held, in creation order. */
  all(): HeldConversation[] {
    return structuredClone(this.held);
  }

  // The author is decided once, by who was staff when the message arrived, as Re:amaze files it.
  private pushMessage(conversation: HeldConversation, input: NewMessage & { user: HeldUser }, writer: Writer, at: string): HeldMessage {
    const message: HeldMessage = {
      body: input.body,
      visibility: input.visibility,
      user: { ...input.user },
      author: writer.isStaff(input.user.email) ? 'staff' : 'customer',
      origin_id: input.origin_id,
      recipients: [...input.recipients],
      attachment: input.attachment,
      attachments: [...input.attachments],
      created_at: at,
      notified: !input.suppressed,
    };
    // Notes count too: they notify the team, and the importer should suppress them like replies.
    if (message.notified) this.stats.notification();
    this.sentBy.set(message, writer.staff.email);
    conversation.messages.push(message);
    return message;
  }

  private newSlug(subject: string): string {
    const stem = slugify(subject) || 'conversation';
    for (;;) {
      const slug = `${stem}-${Math.floor(this.nextRandom() * 36 ** 6).toString(36).padStart(6, '0')}`;
      if (!this.bySlug.has(slug)) return slug;
    }
  }
}

/** One page of a list: pages count from 1; a page past the end is empty. */
export function paginate<T>(items: T[], page: number): Page<T> {
  const start = (page - 1) * PAGE_SIZE;
  return {
    page_size: PAGE_SIZE,
    page_count: Math.ceil(items.length / PAGE_SIZE),
    total_count: items.length,
    items: items.slice(start, start + PAGE_SIZE),
  };
}

/** Lower-case ASCII words joined by dashes, at most 50 characters: safe in a URL path. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 50)
    .replace(/^-+|-+$/g, '');
}

function matchesQuery(held: HeldConversation, query: ConversationQuery): boolean {
  if (!matchesFilter(held, query.filter)) return false;
  if (query.category !== null && held.category !== query.category) return false;
  if (query.tag !== null && !held.tag_list.includes(query.tag)) return false;
  return query.data.every(([field, value]) => Object.hasOwn(held.data, field) && String(held.data[field]) === value);
}

// Like the default listing, 'unassigned' leaves archived conversations out.
function matchesFilter({ status, assignee }: HeldConversation, filter: string | null): boolean {
  if (filter === 'all') return true;
  if (filter === 'archived') return status === ARCHIVED;
  if (filter === 'open') return status === OPEN;
  if (filter === 'unassigned') return status !== ARCHIVED && assignee === null;
  return status !== ARCHIVED;
}
