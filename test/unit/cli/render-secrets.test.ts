import { afterEach, describe, expect, it } from 'vitest';
import { Renderer } from '../../../src/cli/render.js';
import { forgetSecrets, registerSecret } from '../../../src/redact.js';

afterEach(() => forgetSecrets());

const TOKEN = 'tok_9f8e7d6c5b4a3210';

/** A renderer printing into strings. */
function capture(options: { json?: boolean } = {}) {
  const out = { stdout: '', stderr: '' };
  const renderer = new Renderer({ stdout: { write: (text: string) => (out.stdout += text) }, stderr: { write: (text: string) => (out.stderr += text) } }, options);
  return { out, renderer };
}

describe('Renderer', () => {
  it('prints no registered secret in a result, a note, an error or the JSON summary', () => {
    registerSecret(TOKEN, 'me@shop.example');
    const { out, renderer } = capture();
    renderer.result(`result ${TOKEN}`);
    renderer.note(`note ${encodeURIComponent(TOKEN)}`);
    renderer.error(`error Basic ${Buffer.from(`me@shop.example:${TOKEN}`).toString('base64')}`);
    renderer.json({ aborted: `the API said ${TOKEN}` });
    expect(out.stdout).toBe('result [redacted]\n{\n  "aborted": "the API said [redacted]"\n}\n');
    expect(out.stderr).toBe('note [redacted]\nerror Basic [redacted]\n');
  });
});
