import type { HeldConversation, HeldMessage, NormalizedSandboxOptions } from './types.js';

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

/**
 * A message as GET /conversations/{slug}/messages lists it, as the options say an API might: with
 * or without its origin_id, its body as sent, rendered as HTML, or left out.
 */
export function listedMessageView(message: HeldMessage, options: Pick<NormalizedSandboxOptions, 'listedOriginIds' | 'listedBodies'>): Record<string, unknown> {
  const { origin_id: originId, body, ...rest } = messageView(message) as { origin_id: string | null; body: string };
  const shown: Record<string, unknown> = { ...rest };
  if (options.listedBodies === 'as-sent') shown.body = body;
  else if (options.listedBodies === 'html') shown.body = renderedBody(body);
  if (options.listedOriginIds === 'null') shown.origin_id = null;
  else if (options.listedOriginIds === 'echo' && originId !== null) shown.origin_id = originId;
  return shown;
}

/** A Markdown body as a web view shows it: escaped, emphasis and paragraphs as HTML. */
function renderedBody(body: string): string {
  const escaped = body.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
  const emphasis = escaped.replace(/(^|\W)_([^_\n]+)_(?=\W|$)/g, '$1<em>$2</em>').replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>');
  return emphasis.split(/\n{2,}/).map((paragraph) => `<p>${paragraph.replaceAll('\n', '<br>\n')}</p>`).join('\n');
}
