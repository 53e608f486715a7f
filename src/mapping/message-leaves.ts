import type { MappedAuthor } from './authors.js';
import { compileAuthor, copiesLine } from './author-leaf.js';
import { placeAttachments } from './attachments.js';
import { leavesOf, objectOf, SUPPRESS_DEFAULTS, withHeader, type SectionPlace } from './body.js';
import { isEmpty, toText, type Fields } from './fields.js';
import { compileLeaf, noteAt, type Evaluate, type RowContext } from './leaf.js';
import type { LeafSpec, MessageTemplateSpec } from './schema.js';

/** Messages are imported as history: no notifications, no auto-resolve, no surveys. */
export const MESSAGE_DEFAULTS = { ...SUPPRESS_DEFAULTS, suppress_surveys: true };

/** One message as mapped from one element: its body (no `user` yet), its author, its own origin_id. */
export interface MappedElement {
  body: Record<string, unknown>;
  author: MappedAuthor;
  /** The mapped origin_id, or '' when the mapping has none. */
  originId: string;
}

/** Maps one element (an item of the thread list, or the record) to a message; undefined when it is none. */
export type ElementMapper = (element: Fields, ctx: RowContext) => MappedElement | undefined;

/** The leaves of one message, without the thread's own keys. */
type MessageLeaves = MessageTemplateSpec;

/**
 * Compiles the leaves of one message. An element with neither body nor attachment (a status
 * change, a deleted message) is none; every attachment is carried (the first as `attachment`, the
 * others linked in the body); the header keeps the original author, time and copies in the text.
 */
export function compileMessage(spec: MessageLeaves, place: (...path: string[]) => SectionPlace): ElementMapper {
  const { header, user, role, origin_id: originId, attachments, cc, bcc, ...leaves } = spec;
  const base = place();
  const leaf = (value: LeafSpec | undefined, key: string): Evaluate | undefined =>
    value === undefined ? undefined : compileLeaf(value, { at: [...base.path, key].join('.'), errorAt: key, apiRequired: false, references: base.references, shared: base.shared });
  const message = objectOf(leavesOf(leaves, base, [], MESSAGE_DEFAULTS));
  const authorOf = compileAuthor(user, role, place('user'));
  const [headerOf, idOf, attachmentsOf, ccOf, bccOf] = [leaf(header, 'header'), leaf(originId, 'origin_id'), leaf(attachments, 'attachments'), leaf(cc, 'cc'), leaf(bcc, 'bcc')];
  return (element, ctx) => {
    const body = (message(element, ctx) ?? {}) as Record<string, unknown>;
    if (attachmentsOf) placeAttachments(body, attachmentsOf(element, ctx), noteAt(ctx, 'attachments'));
    if (isEmpty(body.body) && isEmpty(body.attachment)) return undefined;
    if (isEmpty(body.body)) body.body = '(attachment)';
    // A Bcc was hidden from the customer: it is written only into an internal note's text.
    const bcc = bccOf?.(element, ctx);
    const note = body.visibility === 1;
    if (!note && !isEmpty(bcc)) noteAt(ctx, 'bcc')('bcc_not_shown', toText(bcc));
    const head = headerOf ? toText(headerOf(element, ctx)).trim() : '';
    const copies = ccOf || bccOf ? copiesLine(ccOf?.(element, ctx), note ? bcc : undefined) : '';
    // A Markdown hard break keeps the copies on a line of their own under the header.
    const top = head !== '' && copies !== '' ? `${head}  \n${copies}` : head || copies;
    if (top !== '') body.body = withHeader(body.body, top);
    return { body, author: authorOf(element, ctx), originId: idOf ? toText(idOf(element, ctx)).trim() : '' };
  };
}
