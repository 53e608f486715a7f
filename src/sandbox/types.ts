/** A scripted or random failure of one POST, named by what the client sees and whether anything was created. */
export type FaultKind =
  | '500-before' | '500-after' | '503-before' | 'drop-before' | 'drop-after' | 'hang-after' | '422'
  /** A 200 HTML page (a maintenance page, a proxy's), before or after creating. */
  | 'html-before' | 'html-after'
  /** Creates, then sends the answer one byte every `dripMs`. */
  | 'drip-after'
  /** A 200 whose JSON is an error (`{"error": ...}`), as a gateway may answer, before or after creating. */
  | 'error-200-before' | 'error-200-after';

/** Every fault kind, in the order random faults are drawn (the order is part of seed reproducibility). */
export const FAULT_KINDS: readonly FaultKind[] = [
  '500-before',
  '500-after',
  '503-before',
  'drop-before',
  'drop-after',
  'hang-after',
  '422',
  'html-before',
  'html-after',
  'drip-after',
  'error-200-before',
  'error-200-after',
];

/** How a 429 says when to come back: not at all, in whole seconds, or as an HTTP date. */
export type RetryAfterForm = false | true | 'seconds' | 'date';

/** What a caller may set when starting the sandbox; every field has a default. */
export interface SandboxOptions {
  /** TCP port; default 0 (any free port). The host is always 127.0.0.1. */
  port?: number;
  /** Brand name shown in the banner; default 'sandbox'. */
  brand?: string;
  /** Basic-auth user (a staff login email); default 'importer@example.com'. */
  email?: string;
  /** Basic-auth password (the API token); default 'sandbox-token'. */
  token?: string;
  /**
   * Logins accepted besides `email`/`token`, as several staff members' API tokens: each is a staff
   * member and has its own rate-limit bucket, at its own `rateLimit` when given, else `rateLimit`.
   * Default none.
   */
  credentials?: SandboxCredential[];
  /** Valid conversation categories (channel slugs); default ['support']. */
  channels?: string[];
  /** conversation.data field that names a ticket for scripted faults; default 'import_key'. */
  keyField?: string;
  /** Requests per second per token, all /api/v1 endpoints; default: no limit (also null or 0, to lift one). */
  rateLimit?: number | null;
  /** Send Retry-After with 429: true or 'seconds' (whole seconds), 'date' (an HTTP date); default false (Re:amaze documents no header). */
  retryAfter?: RetryAfterForm;
  /** Milliseconds added before every /api/v1 answer; default 0. */
  latencyMs?: number;
  /** Status of a successful POST /conversations; default 201. */
  createdStatus?: 200 | 201;
  /** Scripted faults per key (data[keyField], or a message's origin_id): each POST consumes the next. */
  faults?: Record<string, FaultKind[]>;
  /** Probability 0..1 of each fault on POST /conversations, drawn reproducibly from `seed`. */
  faultRates?: Partial<Record<FaultKind, number>>;
  /** Random faults hit POST /conversations/{slug}/messages too (drawn by origin_id). Default false. */
  messageFaults?: boolean;
  /** Seed for random faults and slugs; default 1. */
  seed?: number;
  /** How long 'hang-after' holds a request before closing its socket; default 30000 ms. */
  hangMs?: number;
  /** Staff members besides the token's own user (who always is one); default none. A name defaults to the e-mail's local part. */
  staff?: StaffSpec[];
  /** Whether GET /staff answers the list; false answers 404, as an account whose staff list cannot be read. Default true. */
  staffListing?: boolean;
  /** GET /conversations ignores `data[...]` (an API change, a proxy dropping the query); default false. */
  ignoreDataFilter?: boolean;
  /** Answer every /api/v1 request with a 302 to this URL (the path appended), as a moved host does; default null. */
  redirectTo?: string | null;
  /** How long 'drip-after' waits between two bytes of its answer; default 500 ms. */
  dripMs?: number;
  /**
   * How GET /conversations/{slug}/messages shows each message's origin_id: 'echo' (where it has
   * one; a message without, like the one a conversation opened with, has no such key), 'null' (the
   * key on every message, always null: an API that does not keep it), 'omit' (never). Default 'echo'.
   */
  listedOriginIds?: ListedOriginIds;
  /** Whether the messages listing includes the message the conversation opened with; default true. */
  listsOpener?: boolean;
  /** How the messages listing shows bodies: 'as-sent', 'html' (rendered, as a web view would), 'omit'. Default 'as-sent'. */
  listedBodies?: ListedBodies;
}

/** One more login the sandbox accepts (see `SandboxOptions.credentials`). */
export interface SandboxCredential {
  email: string;
  token: string;
  /** Requests per second for this token; default: the sandbox's `rateLimit` (null: no limit for it). */
  rateLimit?: number | null;
}

/** Which login sent a conversation and each of its messages, in thread order (the opening one first). */
export interface HeldSenders {
  slug: string;
  /** The login e-mail whose request created the conversation. */
  conversation: string;
  /** The login e-mail of each message's request, in the order `messages` holds them. */
  messages: string[];
}

/** See `SandboxOptions.listedOriginIds`. */
export type ListedOriginIds = 'echo' | 'null' | 'omit';

/** See `SandboxOptions.listedBodies`. */
export type ListedBodies = 'as-sent' | 'html' | 'omit';

/** A staff member as options name one: the e-mail is required. */
export interface StaffSpec {
  name?: string;
  email: string;
}

/** SandboxOptions with every default filled in (port excluded: it is fixed once listening). */
export interface NormalizedSandboxOptions {
  brand: string;
  email: string;
  token: string;
  credentials: SandboxCredential[];
  channels: string[];
  keyField: string;
  rateLimit: number | null;
  retryAfter: RetryAfterForm;
  latencyMs: number;
  createdStatus: 200 | 201;
  faults: Record<string, FaultKind[]>;
  faultRates: Partial<Record<FaultKind, number>>;
  messageFaults: boolean;
  seed: number;
  hangMs: number;
  /** Deduplicated by e-mail (case-insensitive), every name filled in. */
  staff: HeldUser[];
  staffListing: boolean;
  ignoreDataFilter: boolean;
  redirectTo: string | null;
  dripMs: number;
  listedOriginIds: ListedOriginIds;
  listsOpener: boolean;
  listedBodies: ListedBodies;
}

/** A customer or staff member as the sandbox keeps them. */
export interface HeldUser {
  name: string;
  email: string;
}

/** A staff member as GET /staff lists them, in creation order. */
export interface HeldStaff extends HeldUser {
  created_at: string;
}

/** A custom-field value: one level deep, as Re:amaze documents. */
export type DataValue = string | number | boolean;

/** One message of a held conversation. */
export interface HeldMessage {
  body: string;
  visibility: 0 | 1;
  user: HeldUser;
  /** 'staff' when user.email is a staff member's (case-insensitive) as the message was created; else 'customer'. */
  author: 'staff' | 'customer';
  origin_id: string | null;
  /** `recipients` as sent (extra participants, copied on later replies); empty when none. */
  recipients: string[];
  /** The `attachment` URL as sent, or null (kept beside `attachments` for older readers). */
  attachment: string | null;
  /** Every attachment URL: `attachment` first, then the undocumented `attachments` list. */
  attachments: string[];
  created_at: string;
  /** True when a notification would have been sent (no suppress flag was true). */
  notified: boolean;
}

/** One conversation the sandbox holds, with its messages in creation order. */
export interface HeldConversation {
  slug: string;
  subject: string;
  category: string;
  status: number;
  tag_list: string[];
  data: Record<string, DataValue>;
  created_at: string;
  updated_at: string;
  user: HeldUser;
  /** The assigned staff member's e-mail (as GET /staff lists it), or null: unassigned. */
  assignee: string | null;
  messages: HeldMessage[];
}

/** One fault the sandbox fired. */
export interface FaultEvent {
  kind: FaultKind;
  /** The key it was scripted for (data[keyField] or origin_id), or null when there was none. */
  key: string | null;
  target: 'conversation' | 'message';
  /** Whether it came from `faults` (scripted) or `faultRates` (random). */
  source: 'scripted' | 'random';
}

/** Counters since start or the last reset(). */
export interface SandboxStats {
  /** Requests to /api/v1 and unknown paths (the /__sandbox endpoints are not counted). */
  requests: number;
  /** By route, e.g. 'POST /conversations', 'GET /conversations/{slug}', 'GET other'. */
  byRoute: Record<string, number>;
  /** By HTTP status, plus 'dropped' and 'hung' for answers never sent. */
  byStatus: Record<string, number>;
  /** Requests refused with 429. */
  rateLimited: number;
  /** Fired faults by kind. */
  faults: Partial<Record<FaultKind, number>>;
  /** Every fired fault, in order. */
  faultLog: FaultEvent[];
  /** Messages (first messages included) created without a true suppress flag: emails that would have gone out. */
  notifications: number;
  /** Conversations created while one with the same data[keyField] already existed. */
  duplicateKeys: number;
  /** Messages created while one with the same origin_id already existed in that conversation. */
  duplicateOriginIds: number;
  /** The last REQUEST_LOG_SIZE requests, in arrival order. */
  requestLog: LoggedRequest[];
}

/** One request as the sandbox saw it arrive. */
export interface LoggedRequest {
  /** Arrival time (ms since the epoch). */
  at: number;
  /** e.g. 'POST /conversations'. */
  route: string;
  /** The status answered, or 'dropped', 'hung', 'dripped'. */
  status: number | string;
  /** For a 429 with Retry-After: the time it named (ms since the epoch). */
  retryAt?: number;
}

/** A running sandbox server. */
export interface Sandbox {
  /** Base URL of the API, e.g. http://127.0.0.1:PORT/api/v1. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The options in force (a copy). */
  options(): NormalizedSandboxOptions;
  /** What it holds, in creation order (deep copies). */
  conversations(): HeldConversation[];
  /** Which login sent each conversation held and each of its messages, in creation order. */
  senders(): HeldSenders[];
  /** Counters since start or the last reset() (a copy). */
  stats(): SandboxStats;
  /** Changes options at run time; new `faults` restart the scripted lists, a new `seed` the random draws, new `staff` or `email` the staff list. */
  setOptions(patch: Partial<SandboxOptions>): void;
  /** As an admin in the web app: deletes the conversation; false when no conversation has that slug. */
  deleteConversation(slug: string): boolean;
  /** As an admin: sets the conversation's status (0 open, 2 done…); false when no conversation has that slug. */
  setStatus(slug: string, status: number): boolean;
  /** As an admin: deletes the thread's message at `index` (0: the opening one); false when there is none. */
  removeMessage(slug: string, index: number): boolean;
  /** Forgets conversations, stats and rate-limit windows; restarts scripted faults and random draws. */
  reset(): void;
  /** Closes the server and every open socket, hung ones included. */
  close(): Promise<void>;
}
