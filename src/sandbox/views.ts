import type { HeldConversation, HeldMessage } from './types.js';

/**
 * A message as the API shows it: the fields it was documented with. The sandbox's own findings
 * (`notified`, `author`) and what Re:amaze's answers are not known to echo (`recipients`, the
 * `attachments` list) stay in what it holds: GET /__sandbox/conversations and conversations().
 */
export function messageView(message: HeldMessage): Record<string, unknown> {
  const { body, visibility, user, origin_id, attachment, created_at } = message;
  return structuredClone({ body, visibility, user, origin_id, attachment, created_at });
}

/**
 * A conversation as the API shows it: without the thread, with its first message and a count, as
 * the create answer echoes what was posted.
 */
export function conversationView(conversation: HeldConversation): Record<string, unknown> {
  const { messages, ...rest } = conversation;
  const first = messages[0];
  return {
    ...structuredClone(rest),
    message_count: messages.length,
    message: first ? messageView(first) : null,
  };
}
