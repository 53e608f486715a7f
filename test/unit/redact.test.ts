import { afterEach, describe, expect, it } from 'vitest';
import { forgetSecrets, redact, registerSecret } from '../../src/redact.js';

afterEach(() => forgetSecrets());

describe('redact', () => {
  it('replaces the token as written, URL-encoded and JSON-escaped, and the Basic auth value', () => {
    registerSecret('s3cr3t/tok+en"x', 'me@shop.example');
    const basic = Buffer.from('me@shop.example:s3cr3t/tok+en"x').toString('base64');
    expect(redact('token s3cr3t/tok+en"x in https://x/?t=s3cr3t%2Ftok%2Ben%22x {"t":"s3cr3t/tok+en\\"x"} Basic ' + basic))
      .toBe('token [redacted] in https://x/?t=[redacted] {"t":"[redacted]"} Basic [redacted]');
  });

  it('leaves texts alone when nothing is registered, and never treats a short text as a secret', () => {
    expect(redact('nothing here')).toBe('nothing here');
    registerSecret('abc');
    expect(redact('abc abc')).toBe('abc abc');
  });
});
