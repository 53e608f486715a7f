// The field checks of src/sandbox/validate.ts: each reads one value, reports through `add` and
// returns the cleaned value (undefined or null when refused, as each one says).
import type { DataValue, HeldUser } from './types.js';

/** Reports one reason against one field of the 422 body. */
export type Add = (field: string, reason: string) => void;

/** A JSON object's fields. */
export type Fields = Record<string, unknown>;

/** Finds a staff member by e-mail (case-insensitive): how PUT checks an assignee. */
export type FindStaff = (email: string) => HeldUser | undefined;

/** What the sandbox takes for an e-mail address: something@domain.tld, no spaces. */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Rails' reason for a missing value. */
export const BLANK = "can't be blank";

/** Whether a value is a plain JSON object. */
export function isObject(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A customer or sender with a valid e-mail, or null (with a reason unless absent and not required). */
export function checkUser(input: Fields, required: boolean, prefix: string, add: Add): HeldUser | null {
  const email = input.email;
  if (email === undefined && !required) return null;
  if (typeof email !== 'string' || email.trim() === '') {
    add(`${prefix}.email`, BLANK);
    return null;
  }
  if (!EMAIL_PATTERN.test(email)) {
    add(`${prefix}.email`, 'is invalid');
    return null;
  }
  // Re:amaze names an unnamed contact after its address; the local part reads better in listings.
  const name = typeof input.name === 'string' && input.name.trim() !== '' ? input.name : localPart(email);
  return { name, email };
}

/** The part of an e-mail before the @: what an unnamed person is called. */
export function localPart(email: string): string {
  return email.split('@')[0] ?? email;
}

/**
 * A message's sender: null when none is given, undefined when refused. One that is given must be
 * one Re:amaze can name (an object with an e-mail), or the message would silently change author.
 */
export function checkMessageUser(value: unknown, field: string, add: Add): HeldUser | null | undefined {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) {
    add(field, 'must be an object');
    return undefined;
  }
  return checkUser(value, true, field, add) ?? undefined;
}

/** A message's extra participants: a list of e-mails (empty when absent), or null when refused. */
export function checkRecipients(value: unknown, field: string, add: Add): string[] | null {
  if (value === undefined || value === null) return [];
  const emails = (item: unknown) => typeof item === 'string' && EMAIL_PATTERN.test(item);
  if (Array.isArray(value) && value.every(emails)) return [...(value as string[])];
  add(field, 'must be a list of email addresses');
  return null;
}

/**
 * `attachment` then `attachments` as one list, or null when refused. Re:amaze fetches each one
 * from its URL, so only an http(s) URL is something it could keep.
 */
export function checkAttachments(input: Fields, prefix: string, add: Add): string[] | null {
  const one = input.attachment ?? null;
  const many = input.attachments ?? null;
  const oneOk = one === null || isHttpUrl(one);
  const manyOk = many === null || (Array.isArray(many) && many.every(isHttpUrl));
  if (!oneOk) add(`${prefix}attachment`, 'must be an http(s) URL');
  if (!manyOk) add(`${prefix}attachments`, 'must be a list of http(s) URLs');
  if (!oneOk || !manyOk) return null;
  return [...(one === null ? [] : [one as string]), ...((many as string[] | null) ?? [])];
}

/** The assignee's e-mail as the staff list has it; null to unassign; undefined when absent or refused. */
export function checkAssignee(value: unknown, findStaff: FindStaff, add: Add): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  const email = isObject(value) ? value.email : undefined;
  const member = typeof email === 'string' ? findStaff(email.trim()) : undefined;
  // Re:amaze can assign only a staff member; anyone else (a customer, a typo) is refused whole.
  if (!member) add('assignee', 'is not a staff member');
  return member?.email;
}

/** A status integer 0..9, or undefined. */
export function checkStatus(value: unknown, add: Add): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 9) return value;
  add('status', 'must be an integer from 0 to 9');
  return undefined;
}

/** Tags or undefined: Rails' acts-as-taggable takes a list or a comma-separated string, and so does this. */
export function checkTags(value: unknown, add: Add): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? value.split(',') : value;
  if (Array.isArray(list) && list.every((tag) => typeof tag === 'string')) {
    return list.map((tag: string) => tag.trim()).filter((tag) => tag !== '');
  }
  add('tag_list', 'must be a list of tags');
  return undefined;
}

/** Custom fields one level deep, or undefined. */
export function checkData(value: unknown, add: Add): Record<string, DataValue> | undefined {
  if (value === undefined) return undefined;
  const flat = (item: unknown) => ['string', 'number', 'boolean'].includes(typeof item);
  if (isObject(value) && Object.values(value).every(flat)) return { ...(value as Record<string, DataValue>) };
  add('data', 'must be a flat object of strings, numbers and booleans');
  return undefined;
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
