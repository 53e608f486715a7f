// Plain-function checks of the bodies the mapping builds, for the row loop of `validate`: true
// only when the payload schemas (src/payload/schemas.ts, zod) certainly accept the body. False
// means "ask zod", which then gives the problems in its own words: a body these checks cannot
// decide (an attachment URL, a prototype other than Object's) is always left to zod. They must
// never say true where zod says no; test/unit/mapping/body-check.test.ts compares the two.

/** zod 4's `z.email()` pattern (its `regexes.email`), pinned by the test against the installed zod. */
// eslint-disable-next-line no-useless-escape -- zod's source character for character, so the test can compare them
export const EMAIL = /^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$/;

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

const isText = (value: unknown): boolean => typeof value === 'string' && value.trim() !== '';
const isEmail = (value: unknown): boolean => typeof value === 'string' && EMAIL.test(value);
const isOptionalString = (value: unknown): boolean => value === undefined || typeof value === 'string';
const isOptionalFlag = (value: unknown): boolean => value === undefined || typeof value === 'boolean';

/** Strings, finite numbers and booleans, one level deep (the schemas' `flatData`). */
function isFlatData(value: unknown): boolean {
  if (value === undefined) return true;
  if (!isPlain(value)) return false;
  for (const name in value) {
    const item = value[name];
    if (typeof item !== 'string' && typeof item !== 'boolean' && !(typeof item === 'number' && Number.isFinite(item))) return false;
  }
  return true;
}

/** `{ email, name? }`: the author of a message (its e-mail tested once: the pattern is the dearest check). */
function isAuthor(value: unknown): boolean {
  if (!isPlain(value)) return false;
  for (const name in value) {
    if (name !== 'email' && (name !== 'name' || !isOptionalString(value.name))) return false;
  }
  return isEmail(value.email);
}

const SUPPRESS = new Set(['suppress_notification', 'suppress_notifications', 'suppress_autoresolve']);
const MESSAGE_SUPPRESS = new Set([...SUPPRESS, 'suppress_surveys']);

/** One property of `conversation.message`; false for an attachment (a URL: zod's to judge). */
function isOpeningPart(name: string, value: unknown): boolean {
  if (name === 'body') return isText(value);
  if (name === 'user') return value === undefined || isAuthor(value);
  if (name === 'recipients') return value === undefined || (Array.isArray(value) && value.every(isEmail));
  if (name === 'attachment') return value === undefined;
  return SUPPRESS.has(name) && isOptionalFlag(value);
}

function isConversationPart(name: string, value: unknown): boolean {
  switch (name) {
    case 'subject':
      return isOptionalString(value);
    case 'category':
      return isText(value);
    case 'tag_list':
      return value === undefined || (Array.isArray(value) && value.every(isText));
    case 'status':
      return value === undefined || (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 9);
    case 'data':
      return isFlatData(value);
    case 'message':
      if (!isPlain(value) || !isText(value.body)) return false;
      for (const part in value) if (!isOpeningPart(part, value[part])) return false;
      return true;
    case 'user':
      if (!isPlain(value) || !isEmail(value.email)) return false;
      for (const part in value) if (!(part === 'name' ? isOptionalString(value.name) : part === 'email' || (part === 'data' && isFlatData(value.data)))) return false;
      return true;
    default:
      return false;
  }
}

/** True when a plain object has exactly one key, `name`. */
function holdsOnly(value: Plain, name: string): boolean {
  let count = 0;
  for (const key in value) if (key !== name || ++count > 1) return false;
  return count === 1;
}

/** True when `ConversationBodySchema` certainly accepts the body; false: ask it. */
export function surelyValidConversation(body: unknown): boolean {
  if (!isPlain(body) || !holdsOnly(body, 'conversation')) return false;
  const conversation = body.conversation;
  if (!isPlain(conversation) || !isText(conversation.category) || !isPlain(conversation.message) || !isPlain(conversation.user)) return false;
  for (const name in conversation) if (!isConversationPart(name, conversation[name])) return false;
  return true;
}

function isMessagePart(name: string, value: unknown): boolean {
  switch (name) {
    case 'body':
      return isText(value);
    case 'visibility':
      return value === undefined || value === 0 || value === 1;
    case 'user':
      return value === undefined || isAuthor(value);
    case 'origin_id':
      return value === undefined || isText(value) || Number.isSafeInteger(value);
    case 'attachment':
      return value === undefined;
    default:
      return MESSAGE_SUPPRESS.has(name) && isOptionalFlag(value);
  }
}

/** True when `MessageBodySchema` certainly accepts the body; false: ask it. */
export function surelyValidMessage(body: unknown): boolean {
  if (!isPlain(body) || !holdsOnly(body, 'message')) return false;
  const message = body.message;
  if (!isPlain(message) || !isText(message.body)) return false;
  for (const name in message) if (!isMessagePart(name, message[name])) return false;
  return true;
}
