import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EMAIL, surelyValidConversation, surelyValidMessage } from '../../../src/mapping/body-check.js';
import { validateConversation, validateMessage } from '../../../src/payload/schemas.js';

/** A small deterministic random source, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

const ODD_VALUES: unknown[] = [
  undefined, null, '', ' ', '\t\n', 'x', 'bob@', 'bob@example.com', 'Bob@Example.COM', 'a..b@example.com', '.a@example.com', 'a@b.c', 'a@localhost',
  'https://example.com/a.png', 'ftp://example.com/a', 0, 1, 2, -1, 9, 10, 1.5, -0, NaN, Infinity, 2 ** 53, true, false, [], ['a'], [' '], ['a@example.com'], ['bad'], {}, { a: 1 }, { a: null }, { a: [1] }, { a: 'x', b: true, c: 2.5 },
  { email: 'a@example.com' }, { email: 'a@example.com', name: 'A' }, { email: 'a@example.com', name: 3 }, { email: 'nope' }, { email: 'a@example.com', extra: 1 }, new Date(0),
];

const CONVERSATION_KEYS = ['subject', 'category', 'tag_list', 'status', 'data', 'message', 'user', 'unknown'];
const OPENING_KEYS = ['body', 'recipients', 'attachment', 'user', 'suppress_notification', 'suppress_notifications', 'suppress_autoresolve', 'suppress_surveys', 'other'];
const USER_KEYS = ['name', 'email', 'data', 'id'];
const MESSAGE_KEYS = ['body', 'visibility', 'user', 'origin_id', 'attachment', 'suppress_notification', 'suppress_surveys', 'recipients'];

function validConversation(): Record<string, unknown> {
  return {
    conversation: {
      subject: 'Hello', category: 'support', tag_list: ['a', 'b'], status: 2, data: { legacy_id: 'T-1', n: 3, ok: true },
      message: { body: 'Hi there', suppress_notification: true },
      user: { name: 'Bob', email: 'bob@example.com', data: { plan: 'pro' } },
    },
  };
}

function validMessage(): Record<string, unknown> {
  return { message: { body: 'Reply', visibility: 1, user: { email: 'agent@example.com', name: 'Agent' }, origin_id: 42, suppress_surveys: false } };
}

/** Sets one to three properties somewhere in the body to odd values (or deletes them). */
function mutate(body: Record<string, unknown>, random: () => number, places: [string[], string[]][]): Record<string, unknown> {
  const copy = structuredClone(body);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
    const [path, keys] = pick(places);
    let target: Record<string, unknown> = copy;
    for (const step of path) {
      const next = target[step];
      if (typeof next !== 'object' || next === null) break;
      target = next as Record<string, unknown>;
    }
    const key = pick(keys);
    if (random() < 0.2) delete target[key];
    else target[key] = structuredClone(pick(ODD_VALUES));
  }
  return copy;
}

describe('body-check', () => {
  it("pins zod's own e-mail pattern", () => {
    expect(EMAIL.source).toBe(z.regexes.email.source);
  });

  it('never says valid where the conversation schema says no, and says valid for the usual body', () => {
    expect(surelyValidConversation(validConversation())).toBe(true);
    const random = seeded(1);
    const places: [string[], string[]][] = [[['conversation'], CONVERSATION_KEYS], [['conversation', 'message'], OPENING_KEYS], [['conversation', 'user'], USER_KEYS], [['conversation', 'data'], ['x', 'y']], [[], ['conversation', 'extra']]];
    let sure = 0;
    for (let i = 0; i < 20_000; i++) {
      const body = mutate(validConversation(), random, places);
      if (!surelyValidConversation(body)) continue;
      sure++;
      expect(validateConversation(body).ok, JSON.stringify(body)).toBe(true);
    }
    expect(sure).toBeGreaterThan(1000);
  });

  it('never says valid where the message schema says no, and says valid for the usual body', () => {
    expect(surelyValidMessage(validMessage())).toBe(true);
    const random = seeded(2);
    const places: [string[], string[]][] = [[['message'], MESSAGE_KEYS], [['message', 'user'], USER_KEYS], [[], ['message', 'extra']]];
    let sure = 0;
    for (let i = 0; i < 20_000; i++) {
      const body = mutate(validMessage(), random, places);
      if (!surelyValidMessage(body)) continue;
      sure++;
      expect(validateMessage(body).ok, JSON.stringify(body)).toBe(true);
    }
    expect(sure).toBeGreaterThan(1000);
  });
});
