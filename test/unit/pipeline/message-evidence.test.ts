import { describe, expect, it } from 'vitest';
import { bodyText, learnFromKnown, weighMessage, type KnownThread } from '../../../src/pipeline/message-evidence.js';
import type { ListedMessage } from '../../../src/reamaze/client.js';

const OPENER = 'Hello, my order is late';
/** A thread the ledger knows: the opener and two added messages done. */
const KNOWN: KnownThread = { openerBody: OPENER, done: [{ originId: 'm1', body: 'We are on it' }, { originId: 'm2', body: '_Note:_ check the **carrier**' }] };
const DOUBTED = { originId: 'm3', body: 'It arrived, thanks!' };

const listed = (...messages: [string | null | undefined, string | undefined][]): ListedMessage[] => messages.map(([originId, body]) => ({ originId, body }));
/** The thread as an API without origin_ids lists it: the opener, m1, m2 and, when `withDoubted`, m3. */
const plain = (withDoubted: boolean, bodies = true) =>
  listed([undefined, bodies ? OPENER : undefined], [undefined, bodies ? 'We are on it' : undefined], [undefined, bodies ? '<p><em>Note:</em> check the <strong>carrier</strong></p>' : undefined],
    ...(withDoubted ? [[undefined, bodies ? 'It arrived, thanks!' : undefined] as [undefined, string | undefined]] : []));

describe('bodyText', () => {
  it('compares the Markdown sent with the HTML a listing shows, entities and case aside', () => {
    expect(bodyText('_Note:_ check the **carrier**')).toBe(bodyText('<p><em>Note:</em> check the <strong>carrier</strong></p>'));
    expect(bodyText('Tom &amp; Jerry &#233;t&eacute;')).toBe('tomjerryété');
    expect(bodyText('<p> </p>')).toBeUndefined();
    expect(bodyText(undefined)).toBeUndefined();
  });
});

describe('weighMessage', () => {
  it('finds the message by its origin_id, and learns that the API echoes them', () => {
    const listing = listed([undefined, OPENER], ['m1', 'x'], ['m2', 'y'], ['m3', 'z']);
    expect(weighMessage(listing, KNOWN, DOUBTED, {})).toEqual({ weighed: { verdict: 'present', by: 'origin_id' }, learned: { echoesOriginIds: true } });
  });

  it('proves absence by origin_id where this listing echoes those of the messages done', () => {
    const listing = listed([undefined, OPENER], ['m1', 'x'], ['m2', 'y']);
    expect(weighMessage(listing, KNOWN, DOUBTED, {}).weighed).toEqual({ verdict: 'absent', by: 'origin_id' });
  });

  it('trusts a learned echo on a thread with no message done yet, not one this listing belies', () => {
    const first = { openerBody: OPENER, done: [] };
    expect(weighMessage(listed([undefined, OPENER]), first, DOUBTED, { echoesOriginIds: true }).weighed).toEqual({ verdict: 'absent', by: 'origin_id' });
    // Done messages listed without ids: the learned echo is not taken for proof; the count and bodies decide.
    expect(weighMessage(plain(true), KNOWN, DOUBTED, { echoesOriginIds: true }).weighed).toEqual({ verdict: 'present', by: 'count and body' });
  });

  it('without origin_ids, the bodies (sent as Markdown, listed as HTML) show the opener listed, and the count then agrees', () => {
    expect(weighMessage(plain(true), KNOWN, DOUBTED, {})).toEqual({ weighed: { verdict: 'present', by: 'count and body' }, learned: { showsBodies: true, listsOpener: true } });
    expect(weighMessage(plain(false), KNOWN, DOUBTED, {})).toEqual({ weighed: { verdict: 'absent', by: 'count and body' }, learned: { showsBodies: true, listsOpener: true } });
    // Replies only, the opener's body not among them: the bodies alone decide, and teach that the opener is not listed.
    expect(weighMessage(plain(true).slice(1), { ...KNOWN, openerBody: undefined }, DOUBTED, {})).toEqual({ weighed: { verdict: 'present', by: 'body' }, learned: { showsBodies: true, listsOpener: false } });
  });

  it('with the opener known to be listed, count and body agree', () => {
    expect(weighMessage(plain(true), KNOWN, DOUBTED, { listsOpener: true }).weighed).toEqual({ verdict: 'present', by: 'count and body' });
    expect(weighMessage(plain(false), KNOWN, DOUBTED, { listsOpener: true }).weighed).toEqual({ verdict: 'absent', by: 'count and body' });
  });

  it('without bodies, the count alone decides once the API is known to list the opener (or not)', () => {
    expect(weighMessage(plain(true, false), KNOWN, DOUBTED, { listsOpener: true }).weighed).toEqual({ verdict: 'present', by: 'count' });
    expect(weighMessage(plain(false, false), KNOWN, DOUBTED, { listsOpener: true }).weighed).toEqual({ verdict: 'absent', by: 'count' });
    // Replies only: three listed are m1, m2 and the doubted one.
    expect(weighMessage(plain(true, false).slice(1), KNOWN, DOUBTED, { listsOpener: false }).weighed).toEqual({ verdict: 'present', by: 'count' });
    expect(weighMessage(plain(false, false).slice(1), KNOWN, DOUBTED, { listsOpener: false }).weighed).toEqual({ verdict: 'absent', by: 'count' });
  });

  it('without bodies and without knowing whether the opener is listed, waits for a listing that shows it (later)', () => {
    const { weighed } = weighMessage(plain(false, false), KNOWN, DOUBTED, {});
    expect(weighed).toMatchObject({ verdict: 'undecidable', later: true });
  });

  it('stays in doubt when count and body conflict: one message more than the ledger knows, but not the body sent', () => {
    const listing = [...plain(false), { originId: undefined, body: 'An agent wrote this meanwhile' }];
    const { weighed } = weighMessage(listing, KNOWN, DOUBTED, { listsOpener: true });
    expect(weighed).toMatchObject({ verdict: 'undecidable', later: false });
    expect(weighed).toHaveProperty('why', expect.stringContaining('holds 4 messages where one more than the ledger knows of'));
  });

  it('lets the bodies decide when someone else\'s messages put the count beyond what the ledger accounts for', () => {
    const listing = [...plain(true), { originId: undefined, body: 'Auto-reply: we got your message' }, { originId: undefined, body: 'Another one' }];
    expect(weighMessage(listing, KNOWN, DOUBTED, { listsOpener: true }).weighed).toEqual({ verdict: 'present', by: 'body' });
  });

  it('counts repeated bodies: a second "Thanks!" is there only when the listing has one more than the ledger accounts for', () => {
    const known = { openerBody: OPENER, done: [{ originId: 'm1', body: 'Thanks!' }] };
    const doubted = { originId: 'm2', body: 'Thanks!' };
    expect(weighMessage(listed([undefined, OPENER], [undefined, 'Thanks!']), known, doubted, {}).weighed).toMatchObject({ verdict: 'absent' });
    expect(weighMessage(listed([undefined, OPENER], [undefined, 'Thanks!'], [undefined, 'thanks']), known, doubted, {}).weighed).toMatchObject({ verdict: 'present' });
  });

  it('does not take the opening message for the doubted one when both read the same and the opener\'s listing is unknown', () => {
    const known = { openerBody: 'Same words', done: [] };
    const { weighed } = weighMessage(listed([undefined, 'Same words']), known, { originId: 'm1', body: 'Same words' }, {});
    expect(weighed).toMatchObject({ verdict: 'undecidable', later: true });
  });

  it('a listing of null origin_ids proves nothing by origin_id (an API that does not keep them)', () => {
    const listing = plain(true).map((message) => ({ ...message, originId: null }));
    expect(weighMessage(listing, KNOWN, DOUBTED, {}).weighed).toEqual({ verdict: 'present', by: 'count and body' });
  });
});

describe('learnFromKnown: a listing of a thread whose content is known exactly', () => {
  it('learns whether origin_ids are echoed, the opener listed, the bodies shown', () => {
    expect(learnFromKnown(listed([undefined, OPENER], ['m1', 'We are on it'], ['m2', '_Note:_ check the **carrier**']), KNOWN)).toEqual({ listsOpener: true, echoesOriginIds: true, showsBodies: true });
    expect(learnFromKnown(plain(false, false).slice(1), KNOWN)).toEqual({ listsOpener: false, echoesOriginIds: false, showsBodies: false });
    // Before any message is added: the opener alone, or nothing.
    expect(learnFromKnown(listed([null, OPENER]), { openerBody: OPENER, done: [] })).toEqual({ listsOpener: true, showsBodies: true });
    expect(learnFromKnown([], { openerBody: OPENER, done: [] })).toEqual({ listsOpener: false });
  });

  it('learns nothing from a listing that holds messages nobody accounts for', () => {
    expect(learnFromKnown([...plain(false), ...plain(false)], KNOWN)).toEqual({});
  });
});
