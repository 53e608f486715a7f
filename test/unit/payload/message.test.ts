import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/errors.js';
import { validateMessage } from '../../../src/payload/schemas.js';

describe('validateMessage', () => {
  it('accepts a documented body', () => {
    const body = {
      message: {
        body: 'foo',
        visibility: 1,
        user: { email: 'agent@example.com', name: 'Agent' },
        origin_id: 'legacy-msg-42',
        attachment: 'http://files.example.com/x.pdf',
        suppress_notification: true,
        suppress_notifications: true,
        suppress_autoresolve: true,
        suppress_surveys: true,
      },
    };
    expect(validateMessage(body)).toEqual({ ok: true, value: body });
    expect(validateMessage({ message: { body: 'x', origin_id: 42 } }).ok).toBe(true);
  });

  it('names every problem as path: message', () => {
    const result = validateMessage({ message: { visibility: 2, user: { name: 'No email' }, origin_id: '', suppress_surveys: 1, via: 'x' } });
    expect(result.ok ? [] : result.problems.map(formatProblem)).toMatchInlineSnapshot(`
      [
        "message.body: required",
        "message.visibility: must be 0 (reply) or 1 (internal note), got 2",
        "message.user.email: required",
        "message.origin_id: must be a non-empty string or an integer, got """,
        "message.suppress_surveys: must be true or false, got 1",
        "message.via: unknown property",
      ]
    `);
  });
});
