// The Re:amaze request bodies as zod schemas: the contract with the API (the one module of
// src/payload that runs zod).
import { z } from 'zod';
import { validateWith, type Validation } from './issues.js';

/** A string with something other than whitespace in it. */
const text = (error = 'must be a non-empty string') =>
  z.string({ error }).refine((s) => s.trim() !== '', { error });

/** An email address (zod's own rule: what Re:amaze will most plausibly accept). */
const email = () => z.email({ error: 'must be an email address' });

/** An http(s) URL Re:amaze can fetch. */
const httpUrl = () => z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** One of the suppression switches. */
const flag = () => z.boolean({ error: 'must be true or false' });

/**
 * Custom fields, one level deep: strings, numbers and booleans only. Written as an object with a
 * catchall rather than z.record: the same rule, at a third of the cost per row.
 */
const flatData = () =>
  z
    .object({}, { error: 'must be an object of strings, numbers and booleans' })
    .catchall(z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' }));

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
      // Who wrote the opening message when it is not the customer: an agent's outbound ticket, sent as a staff member.
      user: z.strictObject({
        email: email(),
        name: z.string({ error: 'must be a string' }).optional(),
      }, { error: 'must be an object' }).optional(),
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

/** Checks a POST /conversations body; problems read `conversation.user.email: must be an email address, got "bob@"`. */
export function validateConversation(body: unknown): Validation<ConversationBody> {
  return validateWith(ConversationBodySchema, body);
}

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

/** Checks a POST /conversations/{slug}/messages body; problems read `message.visibility: must be 0 (reply)..., got 2`. */
export function validateMessage(body: unknown): Validation<MessageBody> {
  return validateWith(MessageBodySchema, body);
}
