export { ConversationBodySchema, validateConversation, type ConversationBody } from './conversation.js';
export { MessageBodySchema, validateMessage, type MessageBody } from './message.js';
export type { Validation } from './issues.js';
