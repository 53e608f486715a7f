import { z } from 'zod';
import { email, flag, flatData, httpUrl, text } from './fields.js';
import { validateWith, type Validation } from './issues.js';

const status = z
  .int({ error: 'must be an integer from 0 to 9' })
  .min(0, { error: 'must be an integer from 0 to 9' })
  .max(9, { error: 'must be an integer from 0 to 9' });

/** The body of POST /conversations, as documented in reamaze-api.md. */
export const ConversationBodySchema = z.strictObject({
  conversation: z.strictObject({
    subject: z.string({ error: 'must be a string' }).optional(),
    category: text('must be a non-empty channel slug'),
    tag_list: z.array(text('must be a non-empty tag'), { error: 'must be a list of tags' }).optional(),
    status: status.optional(),
    data: flatData().optional(),
    message: z.strictObject({
      body: text('must be a non-empty text'),
      recipients: z.array(email(), { error: 'must be a list of email addresses' }).optional(),
      attachment: httpUrl().optional(),
      suppress_notification: flag().optional(),
      suppress_notifications: flag().optional(),
      suppress_autoresolve: flag().optional(),
    }, { error: 'must be an object' }),
    user: z.strictObject({
      name: z.string({ error: 'must be a string' }).optional(),
      email: email(),
      data: flatData().optional(),
    }, { error: 'must be an object' }),
  }, { error: 'must be an object' }),
}, { error: 'must be an object' });

/** A valid POST /conversations body. */
export type ConversationBody = z.infer<typeof ConversationBodySchema>;

/** Checks a POST /conversations body; errors read `conversation.user.email: must be an email address, got "bob@"`. */
export function validateConversation(body: unknown): Validation<ConversationBody> {
  return validateWith(ConversationBodySchema, body);
}
