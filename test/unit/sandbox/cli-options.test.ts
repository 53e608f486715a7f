import { describe, expect, it } from 'vitest';
import { sandboxOptions } from '../../../src/cli/sandbox.js';

describe('reamaze-import sandbox options', () => {
  it('turns flags into sandbox options; --message-faults lets random faults hit thread messages', () => {
    expect(sandboxOptions({ port: 4700, fault: ['500-after=0.1', 'drop-before=0.05'], 'message-faults': true })).toEqual({
      port: 4700,
      faultRates: { '500-after': 0.1, 'drop-before': 0.05 },
      messageFaults: true,
    });
    expect(sandboxOptions({ 'message-faults': false })).toEqual({});
  });

  it('turns the hostile behaviours into options: Retry-After as a date, an unfiltered listing, a redirect, dripped answers', () => {
    expect(sandboxOptions({ 'retry-after-date': true, 'ignore-data-filter': true, 'redirect-to': 'https://x.example/api/v1', 'drip-ms': 250, fault: ['drip-after=0.1'] })).toEqual({
      retryAfter: 'date', ignoreDataFilter: true, redirectTo: 'https://x.example/api/v1', dripMs: 250, faultRates: { 'drip-after': 0.1 },
    });
  });

  it('turns what a thread listing shows into options, leaving the defaults out', () => {
    expect(sandboxOptions({ 'listed-origin-ids': 'omit', 'listed-bodies': 'html', 'lists-opener': false })).toEqual({ listedOriginIds: 'omit', listedBodies: 'html', listsOpener: false });
    expect(sandboxOptions({ 'listed-origin-ids': 'echo', 'listed-bodies': 'as-sent', 'lists-opener': true })).toEqual({});
  });

  it('refuses a fault that is not kind=probability, naming the kinds', () => {
    expect(() => sandboxOptions({ fault: ['500-later=0.1'] })).toThrow(/--fault 500-later=0.1 is not a fault: write kind=probability, e\.g\. 500-after=0\.05; kinds: /);
  });
});
