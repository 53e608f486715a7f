import type { HeldConversation, HeldMessage } from './types.js';

/** A message as the API shows it (the sandbox's own `notified` flag stays out). */
export function messageView(message: HeldMessage): Record<string, unknown> {
  const { notified: _notified, ...view } = message;
  return structuredClone(view);
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
