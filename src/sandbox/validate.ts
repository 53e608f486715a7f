import type { DataValue, HeldUser } from './types.js';
import {
  BLANK,
  checkAssignee,
  checkAttachments,
  checkData,
  checkMessageUser,
  checkRecipients,
  checkStatus,
  checkTags,
  checkUser,
  isObject,
  type Add,
  type Fields,
  type FindStaff,
} from './validate-fields.js';

export { isObject, type FindStaff } from './validate-fields.js';

/** Field → reasons, the 422 body shape `{"errors": {...}}` (Rails style). */
export type FieldErrors = Record<string, string[]>;

/** A check's outcome: the cleaned value or the reasons per field. */
export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** A message as a request asked for it, before the store dates it. */
export interface NewMessage {
  body: string;
  visibility: 0 | 1;
  /** null: the default sender (the token's staff user, or the customer for a first message). */
  user: HeldUser | null;
  origin_id: string | null;
  recipients: string[];
  attachment: string | null;
  /** `attachment` first, then the `attachments` list. */
  attachments: string[];
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
  /** The staff member's e-mail as listed, or null to unassign. */
  assignee?: string | null;
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
export function checkConversationPatch(input: Fields, findStaff: FindStaff): Checked<ConversationPatch> {
  const errors: FieldErrors = {};
  const add = (field: string, reason: string) => (errors[field] ??= []).push(reason);
  const status = checkStatus(input.status, add);
  const tags = checkTags(input.tag_list, add);
  const data = checkData(input.data, add);
  const assignee = checkAssignee(input.assignee, findStaff, add);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const patch: ConversationPatch = {};
  if (status !== undefined) patch.status = status;
  if (tags !== undefined) patch.tag_list = tags;
  if (data !== undefined) patch.data = data;
  if (assignee !== undefined) patch.assignee = assignee;
  return { ok: true, value: patch };
}

function checkMessageFields(input: Fields, prefix: string, add: Add): NewMessage | null {
  const body = input.body;
  const bodyOk = typeof body === 'string' && body.trim() !== '';
  if (!bodyOk) add(`${prefix}body`, BLANK);
  const visibility = input.visibility ?? 0;
  if (visibility !== 0 && visibility !== 1) add(`${prefix}visibility`, 'is not included in the list');
  const user = checkMessageUser(input.user, `${prefix}user`, add);
  const recipients = checkRecipients(input.recipients, `${prefix}recipients`, add);
  const attachments = checkAttachments(input, prefix, add);
  const originId = input.origin_id;
  if (!bodyOk || (visibility !== 0 && visibility !== 1) || user === undefined || !recipients || !attachments) return null;
  return {
    body: body as string,
    visibility,
    user,
    origin_id: typeof originId === 'string' || typeof originId === 'number' ? String(originId) : null,
    recipients,
    attachment: typeof input.attachment === 'string' ? input.attachment : null,
    attachments,
    suppressed: input.suppress_notifications === true || input.suppress_notification === true,
    suppressAutoresolve: input.suppress_autoresolve === true,
  };
}

