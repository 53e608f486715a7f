import type { FieldReference } from './types.js';
import { isEmpty, toText, type Fields } from './fields.js';
import { formatPath } from './issues.js';
import { compileLeaf, noteAt, type Evaluate, type RowContext, type Shared } from './leaf.js';
import type { ConversationSpec, LeafSpec } from './schema.js';
import type { MappedAuthor } from './authors.js';
import { compileCustomFields, mergeIntoData } from './custom-fields.js';
import { compileAuthor, copiesLine } from './author-leaf.js';

/** A property of a body and how to compute it. */
export type Entry = [key: string, evaluate: Evaluate];

/** Migration-safe defaults: customers must not be emailed their old tickets, nor tickets reopened/closed by rules. */
export const SUPPRESS_DEFAULTS: Readonly<Record<string, true>> = {
  suppress_notification: true,
  suppress_notifications: true,
  suppress_autoresolve: true,
};

/** Where compiled leaves are placed: path in the mapping, path in row errors, and the reference list. */
export interface SectionPlace {
  path: readonly string[];
  errorPath?: readonly string[];
  references: FieldReference[];
  shared?: Shared | undefined;
}

/** An object of the non-empty results of its entries; undefined when all are empty (the key is then omitted). */
export function objectOf(entries: readonly Entry[]): Evaluate {
  // Plain arrays and an indexed loop: this runs for every section of every row.
  const keys = entries.map(([key]) => key);
  const evaluators = entries.map(([, evaluate]) => evaluate);
  return (fields, ctx) => {
    let out: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const value = evaluators[i]!(fields, ctx);
      if (!isEmpty(value)) (out ??= {})[keys[i]!] = value;
    }
    return out;
  };
}

/**
 * Compiles the leaves of one section. `apiRequired` names leaves the API requires; `defaults`
 * are used when the mapping leaves a key out or its value comes out empty.
 */
export function leavesOf(
  spec: Readonly<Record<string, LeafSpec | undefined>>,
  place: SectionPlace,
  apiRequired: readonly string[] = [],
  defaults: Readonly<Record<string, unknown>> = {},
): Entry[] {
  const entries: Entry[] = [];
  for (const [key, leaf] of Object.entries(spec)) {
    if (leaf === undefined) continue;
    const evaluate = compileLeaf(leaf, {
      at: formatPath([...place.path, key]),
      errorAt: formatPath([...(place.errorPath ?? place.path), key]),
      apiRequired: apiRequired.includes(key),
      references: place.references,
      shared: place.shared,
    });
    const fallback = defaults[key];
    entries.push([key, fallback === undefined ? evaluate : withDefault(evaluate, fallback)]);
  }
  for (const [key, value] of Object.entries(defaults)) {
    if (spec[key] === undefined) entries.push([key, () => value]);
  }
  return entries;
}

/** `header` then a blank line then `body`: the original author and time, kept in the text. */
export function withHeader(body: unknown, header: unknown): unknown {
  const top = toText(header).trim();
  if (top === '' || isEmpty(body)) return body;
  return `${top}\n\n${toText(body)}`;
}

/** Data is one level deep: a list of plain values (ids, e-mails) is kept as its items joined by ", ". */
function flatList(evaluate: Evaluate): Evaluate {
  return (fields, ctx) => {
    const value = evaluate(fields, ctx);
    return Array.isArray(value) && value.every((item) => item === null || typeof item !== 'object') ? toText(value) : value;
  };
}

function orEmpty(evaluate: Evaluate): Evaluate {
  return (fields, ctx) => evaluate(fields, ctx) ?? {};
}

function withDefault(evaluate: Evaluate, fallback: unknown): Evaluate {
  return (fields, ctx) => {
    const value = evaluate(fields, ctx);
    return isEmpty(value) ? fallback : value;
  };
}

/** A record's conversation: the body to POST, and what is decided once its authors are known. */
export interface ConversationParts {
  /** `{conversation: {...}}`, the key in `data`. */
  body: Record<string, unknown>;
  /** The author of the conversation's own first message (`conversation.message.role/user`), when mapped. */
  opening: MappedAuthor | undefined;
  /** The assignee as the export names them (`conversation.assignee`), when mapped. */
  assignee: MappedAuthor | undefined;
  /** The ticket's Cc/Bcc as a header line, '' when none. */
  copies: string;
  /** `conversation.message.attachments` as mapped: placed once it is known which message opens the conversation. */
  attachments: unknown;
}

/** Compiles the `conversation` section to a function of a record giving its parts. */
export function compileConversation(
  spec: ConversationSpec,
  keyField: string,
  references: FieldReference[],
  shared?: Shared,
): (fields: Fields, key: string | undefined, ctx: RowContext) => ConversationParts {
  const { data, message, user, custom_fields: customFields, assignee, cc, bcc, ...leaves } = spec;
  const { header, role, user: openingUser, attachments, ...messageLeaves } = message;
  const at = (...path: string[]): SectionPlace => ({ path: ['conversation', ...path], references, shared });
  const { data: userDataSpec, ...userLeaves } = user;
  // Compiled in the order of the body, so `references` list fields in the order of the mapping.
  const entries: Entry[] = [
    ...leavesOf(leaves, at(), ['category']),
    ['data', objectOf(leavesOf(data ?? {}, at('data')).map(([name, evaluate]): Entry => [name, flatList(evaluate)]))],
    ['message', objectOf(leavesOf(messageLeaves, at('message'), ['body'], SUPPRESS_DEFAULTS))],
  ];
  const userLeafEntries = leavesOf(userLeaves, at('user'), ['email']);
  const userData = objectOf(leavesOf(userDataSpec ?? {}, at('user', 'data')));
  // Kept even when empty, so validation names the missing `conversation.user.email`, not `user`.
  entries.push(['user', orEmpty(objectOf([...userLeafEntries, ['data', userData]]))]);
  const conversation = objectOf(entries);
  const one = (leaf: LeafSpec | undefined, name: string) => (leaf === undefined ? undefined : compileLeaf(leaf, { at: `conversation.${name}`, apiRequired: false, references, shared }));
  const [headerOf, attachmentsOf, ccOf, bccOf] = [one(header, 'message.header'), one(attachments, 'message.attachments'), one(cc, 'cc'), one(bcc, 'bcc')];
  const openingOf = role === undefined && openingUser === undefined ? undefined : compileAuthor(openingUser, role, at('message', 'user'));
  const assigneeOf = assignee === undefined ? undefined : compileAuthor(assignee, undefined, at('assignee'));
  const fieldsOf = customFields === undefined ? undefined : compileCustomFields(customFields, { at: 'conversation.custom_fields', references, shared });
  return (fields, key, ctx) => {
    const body = (conversation(fields, ctx) ?? {}) as Record<string, unknown>;
    const first = body.message as Record<string, unknown> | undefined;
    if (headerOf && first && !isEmpty(first.body)) first.body = withHeader(first.body, headerOf(fields, ctx));
    const copied = { cc: ccOf?.(fields, ctx), bcc: bccOf?.(fields, ctx) };
    const extra = fieldsOf?.(fields, ctx);
    if (key !== undefined || extra !== undefined || !isEmpty(copied.cc) || !isEmpty(copied.bcc)) {
      const data = (body.data ??= {}) as Record<string, unknown>;
      // The copies stay with the ticket as data; never as recipients, who would be copied on every future reply.
      if (!isEmpty(copied.cc)) data.legacy_cc ??= toText(copied.cc);
      if (!isEmpty(copied.bcc)) data.legacy_bcc ??= toText(copied.bcc);
      if (extra !== undefined) mergeIntoData(data, extra, [keyField], noteAt(ctx, 'conversation.custom_fields'));
      // The key in data is how a later run finds what this one created (GET ?data[key]=...).
      if (key !== undefined) data[keyField] = key;
    }
    const attached = attachmentsOf?.(fields, ctx);
    return { body: { conversation: body }, opening: openingOf?.(fields, ctx), assignee: assigneeOf?.(fields, ctx), copies: copiesLine(copied.cc, undefined), attachments: attached };
  };
}
