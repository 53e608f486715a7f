import type { ApiFacts } from '../ledger/ledger.js';
import { decodeEntities } from '../mapping/html-tokens.js';
import type { MappedMessage } from '../mapping/types.js';
import type { ListedMessage } from '../reamaze/client.js';

/**
 * Whether a thread message in doubt (its POST got no clear answer) is in the conversation, weighed
 * from the thread's listing: pure functions, no I/O. Re:amaze does not document whether a listing
 * echoes `origin_id`, nor whether it includes the message the conversation opened with, so the
 * evidence is three-fold: the message's own origin_id, the listing's count against the messages
 * the ledger knows are in the thread, and the body sent. What this API does is learned once (in the
 * ledger) from a listing whose content is known exactly. A message stays in doubt only when the
 * evidence is missing or conflicts.
 */

/** What the ledger and tonight's export say a conversation holds. */
export interface KnownThread {
  /** The body of the message the conversation opened with, when known. */
  openerBody: string | undefined;
  /** The added messages the ledger has `done` for it; bodies where tonight's thread has them. */
  done: readonly { originId: string; body: string | undefined }[];
}

/** The message in doubt. */
export interface Doubted {
  originId: string;
  body: string | undefined;
}

/** The verdict, with the evidence it rests on (or why there is none). */
export type Weighed =
  | { verdict: 'present' | 'absent'; by: 'origin_id' | 'count' | 'body' | 'count and body' }
  /** `later`: only a fact this API has not shown yet is missing; another thread may show it in this run. */
  | { verdict: 'undecidable'; why: string; later: boolean };

/** A verdict and what the listing taught about the API. */
export interface Weighing {
  weighed: Weighed;
  learned: ApiFacts;
}

/**
 * A body as comparable text: markup, entities, punctuation and case set aside, so the Markdown
 * sent and the HTML a listing may show compare equal. Undefined when nothing is left to compare.
 */
export function bodyText(body: string | undefined): string | undefined {
  if (typeof body !== 'string') return undefined;
  const text = decodeEntities(body.replace(/<[^>]*>/g, ' '))
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
  return text === '' ? undefined : text;
}

/** The body a thread message is sent with (`message.body` of its request). */
export function sentText(message: MappedMessage): string | undefined {
  const body = (message.body.message as { body?: unknown } | undefined)?.body;
  return typeof body === 'string' ? body : undefined;
}

/** Bodies as a multiset of texts, to take matches out of one by one. */
class Texts {
  private readonly counts = new Map<string, number>();

  constructor(texts: readonly (string | undefined)[]) {
    for (const text of texts) if (text !== undefined) this.counts.set(text, (this.counts.get(text) ?? 0) + 1);
  }

  take(text: string): boolean {
    const count = this.counts.get(text) ?? 0;
    if (count === 0) return false;
    this.counts.set(text, count - 1);
    return true;
  }

  has(text: string): boolean {
    return (this.counts.get(text) ?? 0) > 0;
  }
}

/** What the bodies of a listing say: whether they show what was sent, and what is left once the known ones are taken out. */
interface BodyReading {
  /** Every known added message's body was found (and at least one body was compared, or the API is known to show them). */
  trusted: boolean;
  /** The opener's body was found / surely not found (bodies trusted); undefined when that cannot be told. */
  openerListed: boolean | undefined;
  /** The bodies left once the known messages' are taken out. */
  rest: Texts;
  /** The opener's body is unaccounted for and reads like the doubted one's: that body alone decides nothing. */
  openerLikeDoubted: boolean;
}

function readBodies(listing: readonly ListedMessage[], known: KnownThread, facts: ApiFacts, doubtedText?: string): BodyReading {
  const rest = new Texts(listing.map((message) => bodyText(message.body)));
  const doneTexts = known.done.map((message) => bodyText(message.body)).filter((text): text is string => text !== undefined);
  const doneFound = doneTexts.filter((text) => rest.take(text)).length;
  const openerText = bodyText(known.openerBody);
  let openerListed: boolean | undefined;
  let openerLikeDoubted = false;
  if (openerText !== undefined && openerText === doubtedText && facts.listsOpener === undefined) {
    // The opening message reads like the doubted one: a copy of that body could be either.
    openerLikeDoubted = true;
  } else if (openerText !== undefined) {
    // Taken out last: an added message with the opener's words is matched as itself first.
    const found = facts.listsOpener === false ? false : rest.take(openerText);
    const bodiesShown = doneTexts.length > 0 && doneFound === doneTexts.length;
    openerListed = found ? true : bodiesShown || facts.showsBodies === true ? false : undefined;
  }
  const compared = doneTexts.length + (openerListed === true ? 1 : 0);
  const trusted = doneFound === doneTexts.length && (compared > 0 || facts.showsBodies === true);
  return { trusted, openerListed, rest, openerLikeDoubted };
}

/** Whether the doubted message is listed, by count: the listing against what the ledger knows is there. */
function countVerdict(listed: number, known: KnownThread, listsOpener: boolean | undefined): 'present' | 'absent' | undefined {
  if (listsOpener === undefined) return undefined;
  const base = known.done.length + (listsOpener ? 1 : 0);
  if (listed === base) return 'absent';
  if (listed === base + 1) return 'present';
  // More or fewer than the ledger can account for: someone else's messages, or a listing that leaves some out.
  return undefined;
}

/**
 * Weighs a complete listing of the thread for the doubted message. Its origin_id listed proves it
 * there; on an API that echoes origin_ids (seen in this listing, or learned before), its absence
 * proves it absent. Otherwise the count and the body each give a verdict where they can: the
 * same verdict (or one alone) decides; two that differ leave the message in doubt.
 */
export function weighMessage(listing: readonly ListedMessage[], known: KnownThread, doubted: Doubted, facts: ApiFacts): Weighing {
  const learned: ApiFacts = {};
  const origins = new Set(listing.flatMap((message) => (typeof message.originId === 'string' ? [message.originId] : [])));
  if (origins.has(doubted.originId)) return { weighed: { verdict: 'present', by: 'origin_id' }, learned: { echoesOriginIds: true } };
  const echoedHere = known.done.some((message) => origins.has(message.originId));
  if (echoedHere) learned.echoesOriginIds = true;
  // Learned before: trusted while this listing does not belie it (done messages listed without their ids).
  const belied = known.done.length > 0 && !echoedHere;
  if (echoedHere || (facts.echoesOriginIds === true && !belied)) return { weighed: { verdict: 'absent', by: 'origin_id' }, learned };

  const text = bodyText(doubted.body);
  const bodies = readBodies(listing, known, facts, text);
  const listsOpener = facts.listsOpener ?? bodies.openerListed;
  if (bodies.trusted) learned.showsBodies = true;
  if (facts.listsOpener === undefined && bodies.openerListed !== undefined) learned.listsOpener = bodies.openerListed;

  const byCount = countVerdict(listing.length, known, listsOpener);
  const byBody = bodies.trusted && text !== undefined && !bodies.openerLikeDoubted ? (bodies.rest.has(text) ? 'present' : 'absent') : undefined;
  if (byCount !== undefined && byBody !== undefined && byCount !== byBody) {
    const why = `its listing holds ${listing.length} messages where ${byCount === 'present' ? 'one more than' : 'as many as'} the ledger knows of, yet the body sent is ${byBody === 'present' ? '' : 'not '}among them`;
    return { weighed: { verdict: 'undecidable', why, later: false }, learned };
  }
  const verdict = byCount ?? byBody;
  if (verdict !== undefined) {
    const by = byCount !== undefined && byBody !== undefined ? 'count and body' : byCount !== undefined ? 'count' : 'body';
    // A verdict the body gave also says whether the opener is listed, from the count.
    if (listsOpener === undefined && by === 'body') {
      const beyond = listing.length - known.done.length - (verdict === 'present' ? 1 : 0);
      if (beyond === 0 || beyond === 1) learned.listsOpener = beyond === 1;
    }
    return { weighed: { verdict, by }, learned };
  }
  return { weighed: { verdict: 'undecidable', ...noVerdictWhy(listing.length, known, listsOpener, text) }, learned };
}

function noVerdictWhy(listed: number, known: KnownThread, listsOpener: boolean | undefined, text: string | undefined): { why: string; later: boolean } {
  const shows = `its listing shows no origin_ids${text === undefined ? '' : ' and not the bodies sent'}`;
  if (listsOpener === undefined) return { why: `${shows}, and whether it includes the opening message is not known yet`, later: true };
  const expected = known.done.length + (listsOpener ? 1 : 0);
  return { why: `${shows}, and it holds ${listed} messages where the ledger knows of ${expected}`, later: false };
}

/**
 * What a listing of a thread whose content is known exactly (no message of it in doubt) says about
 * the API: whether it echoes origin_ids (once an added message is in), includes the opening
 * message, shows bodies. Nothing is learned from a listing that holds messages nobody accounts for.
 */
export function learnFromKnown(listing: readonly ListedMessage[], known: KnownThread): ApiFacts {
  const learned: ApiFacts = {};
  const beyond = listing.length - known.done.length;
  if (beyond !== 0 && beyond !== 1) return learned;
  learned.listsOpener = beyond === 1;
  if (known.done.length > 0) {
    const origins = new Set(listing.map((message) => message.originId));
    learned.echoesOriginIds = known.done.some((message) => origins.has(message.originId));
  }
  const bodies = readBodies(listing, known, { listsOpener: learned.listsOpener });
  const compared = known.done.some((message) => bodyText(message.body) !== undefined) || (learned.listsOpener && bodyText(known.openerBody) !== undefined);
  if (compared) learned.showsBodies = bodies.trusted;
  return learned;
}
