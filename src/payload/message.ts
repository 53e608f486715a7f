import { z } from 'zod';
import { email, flag, httpUrl, text } from './fields.js';
import { validateWith, type Validation } from './issues.js';

/** The body of POST /conversations/{slug}/messages, as documented in reamaze-api.md. */
export const MessageBodySchema = z.strictObject({
  message: z.strictObject({
    body: text('must be a non-empty text'),
    visibility: z.union([z.literal(0), z.literal(1)], { error: 'must be 0 (reply) or 1 (internal note)' }).optional(),
    user: z.strictObject({
      email: email(),
      name: z.string({ error: 'must be a string' }).optional(),
    }, { error: 'must be an object' }).optional(),
    // A JSON export's numeric id is accepted as it is; the API reads it as text.
    origin_id: z
      .union([text('must be a non-empty string or an integer'), z.int()], {
        error: 'must be a non-empty string or an integer',
      })
      .optional(),
    attachment: httpUrl().optional(),
    suppress_notification: flag().optional(),
    suppress_notifications: flag().optional(),
    suppress_autoresolve: flag().optional(),
    suppress_surveys: flag().optional(),
  }, { error: 'must be an object' }),
}, { error: 'must be an object' });

/** A valid POST /conversations/{slug}/messages body. */
export type MessageBody = z.infer<typeof MessageBodySchema>;

/** Checks a POST /conversations/{slug}/messages body; errors read `message.visibility: must be 0 (reply)..., got 2`. */
export function validateMessage(body: unknown): Validation<MessageBody> {
  return validateWith(MessageBodySchema, body);
}
