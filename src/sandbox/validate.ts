import type { DataValue, HeldUser } from './types.js';

/** Field → reasons, the 422 body shape `{"errors": {...}}` (Rails style). */
export type FieldErrors = Record<string, string[]>;

/** A check's outcome: the cleaned value or the reasons per field. */
export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** A message as a request asked for it, before the store dates it. */
export interface NewMessage {
  body: string;
  visibility: 0 | 1;
  /** null: the token's own staff user. */
  user: HeldUser | null;
  origin_id: string | null;
  attachment: string | null;
  /** suppress_notifications or suppress_notification was true. */
  suppressed: boolean;
  suppressAutoresolve: boolean;
}

/** A conversation as POST /conversations asked for it. */
export interface NewConversation {
  subject: string;
  category: string;
  status: number;
  tag_list: string[];
  data: Record<string, DataValue>;
  user: HeldUser;
  message: NewMessage;
}

/** The fields PUT /conversations/{slug} may change. */
export interface ConversationPatch {
  status?: number;
  tag_list?: string[];
  data?: Record<string, DataValue>;
}

type Fields = Record<string, unknown>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const BLANK = "can't be blank";

/** Whether a value is a plain JSON object. */
export function isObject(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Checks the inside of `{"conversation": {...}}` for POST /conversations. */
export function checkNewConversation(input: Fields, channels: readonly string[]): Checked<NewConversation> {
  const errors: FieldErrors = {};
  const add = (field: string, reason: string) => (errors[field] ??= []).push(reason);
  const category = input.category;
  // Missing and unknown read the same: Re:amaze resolves the slug to a channel and finds none.
  if (typeof category !== 'string' || !channels.includes(category)) add('category', 'is not a valid channel');
  if (input.subject !== undefined && typeof input.subject !== 'string') add('subject', 'must be a string');
  const status = checkStatus(input.status, add);
  const tags = checkTags(input.tag_list, add);
  const data = checkData(input.data, add);
  const user = checkUser(isObject(input.user) ? input.user : {}, true, 'user', add);
  const message = checkMessageFields(isObject(input.message) ? input.message : {}, 'message.', add);
  if (Object.keys(errors).length > 0 || !user || !message) return { ok: false, errors };
  const subject = typeof input.subject === 'string' ? input.subject : '';
  return {
    ok: true,
    value: { subject, category: category as string, status: status ?? 0, tag_list: tags ?? [], data: data ?? {}, user, message },
  };
}

/** Checks the inside of `{"message": {...}}` for POST /conversations/{slug}/messages. */
export function checkNewMessage(input: Fields): Checked<NewMessage> {
  const errors: FieldErrors = {};
  const message = checkMessageFields(input, '', (field, reason) => (errors[field] ??= []).push(reason));
  return message && Object.keys(errors).length === 0 ? { ok: true, value: message } : { ok: false, errors };
}

/** Checks the inside of `{"conversation": {...}}` for PUT /conversations/{slug}. */
export function checkConversationPatch(input: Fields): Checked<ConversationPatch> {
  const errors: FieldErrors = {};
  const add = (field: string, reason: string) => (errors[field] ??= []).push(reason);
  const status = checkStatus(input.status, add);
  const tags = checkTags(input.tag_list, add);
  const data = checkData(input.data, add);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const patch: ConversationPatch = {};
  if (status !== undefined) patch.status = status;
  if (tags !== undefined) patch.tag_list = tags;
  if (data !== undefined) patch.data = data;
  return { ok: true, value: patch };
}

type Add = (field: string, reason: string) => void;

function checkMessageFields(input: Fields, prefix: string, add: Add): NewMessage | null {
  const body = input.body;
  const bodyOk = typeof body === 'string' && body.trim() !== '';
  if (!bodyOk) add(`${prefix}body`, BLANK);
  const visibility = input.visibility ?? 0;
  if (visibility !== 0 && visibility !== 1) add(`${prefix}visibility`, 'is not included in the list');
  const user = isObject(input.user) ? checkUser(input.user, false, `${prefix}user`, add) : null;
  if (input.attachment !== undefined && typeof input.attachment !== 'string') add(`${prefix}attachment`, 'must be a URL');
  const originId = input.origin_id;
  if (!bodyOk || (visibility !== 0 && visibility !== 1)) return null;
  return {
    body: body as string,
    visibility,
    user,
    origin_id: typeof originId === 'string' || typeof originId === 'number' ? String(originId) : null,
    attachment: typeof input.attachment === 'string' ? input.attachment : null,
    suppressed: input.suppress_notifications === true || input.suppress_notification === true,
    suppressAutoresolve: input.suppress_autoresolve === true,
  };
}

function checkUser(input: Fields, required: boolean, prefix: string, add: Add): HeldUser | null {
  const email = input.email;
  if (email === undefined && !required) return null;
  if (typeof email !== 'string' || email.trim() === '') {
    add(`${prefix}.email`, BLANK);
    return null;
  }
  if (!EMAIL.test(email)) {
    add(`${prefix}.email`, 'is invalid');
    return null;
  }
  // Re:amaze names an unnamed contact after its address; the local part reads better in listings.
  const name = typeof input.name === 'string' && input.name.trim() !== '' ? input.name : (email.split('@')[0] ?? email);
  return { name, email };
}

function checkStatus(value: unknown, add: Add): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 9) return value;
  add('status', 'must be an integer from 0 to 9');
  return undefined;
}

// Rails' acts-as-taggable takes a list or a comma-separated string; accept both like it does.
function checkTags(value: unknown, add: Add): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? value.split(',') : value;
  if (Array.isArray(list) && list.every((tag) => typeof tag === 'string')) {
    return list.map((tag: string) => tag.trim()).filter((tag) => tag !== '');
  }
  add('tag_list', 'must be a list of tags');
  return undefined;
}

function checkData(value: unknown, add: Add): Record<string, DataValue> | undefined {
  if (value === undefined) return undefined;
  const flat = (item: unknown) => ['string', 'number', 'boolean'].includes(typeof item);
  if (isObject(value) && Object.values(value).every(flat)) return { ...(value as Record<string, DataValue>) };
  add('data', 'must be a flat object of strings, numbers and booleans');
  return undefined;
}
