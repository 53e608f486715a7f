export { ConversationBodySchema, validateConversation, type ConversationBody } from './schemas.js';
export { MessageBodySchema, validateMessage, type MessageBody } from './schemas.js';
export type { Validation } from './issues.js';
