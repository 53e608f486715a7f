import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyResponse, describeRejection, mayRetry, parseRetryAfter } from '../../../src/reamaze/retry-policy.js';

describe('retry policy', () => {
  it.each([
    [201, 'created'], [200, 'created'], [422, 'rejected'], [400, 'rejected'], [401, 'auth'], [403, 'auth'],
    [404, 'not-found'], [301, 'redirect'], [302, 'redirect'], [429, 'throttled'], [500, 'unknown'], [502, 'unknown'], [503, 'unknown'],
  ])('classifies %i as %s', (status, kind) => {
    expect(classifyResponse(status, undefined, '{"slug":"a"}').kind).toBe(kind);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    const policy = { maxAttempts: 6, maxElapsedMs: 60_000, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, policy, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(3, policy, () => 0)).toBe(200);
  });

  it('gives up after the attempts or the time allowed', () => {
    const policy = { maxAttempts: 3, maxElapsedMs: 1000, baseDelayMs: 1, maxDelayMs: 1 };
    expect(mayRetry(2, 0, policy, 500)).toBe(true);
    expect(mayRetry(3, 0, policy, 500)).toBe(false);
    expect(mayRetry(1, 0, policy, 1000)).toBe(false);
  });

  it('makes the API reason readable whatever the 422 body looks like', () => {
    expect(describeRejection(422, '{"errors":{"category":["is not a valid channel"],"user.email":["is invalid"]}}')).toBe(
      'the API refused the row (422): category is not a valid channel; user.email is invalid',
    );
    expect(describeRejection(422, '{"error":"Body missing"}')).toBe('the API refused the row (422): Body missing');
    expect(describeRejection(400, 'Bad request')).toBe('the API refused the row (400): Bad request');
  });
});
