/** Chat message presenter: shared by GET /api/sessions/{id}/chat/ and the room's `chat` push. */
import type { Schema } from '../contract/types.ts';
import { iso } from '../lib/time.ts';
import type { ChatMessage, User } from '../models/index.ts';
import { presentUserSummary } from './user.ts';

export function presentChatMessage(message: ChatMessage, sender: User): Schema<'ChatMessage'> {
  return {
    id: message.id,
    session: message.session_id,
    sender: message.sender_id,
    sender_summary: presentUserSummary(sender),
    body: message.body,
    created_at: iso(message.created_at),
  };
}

/** Presents messages loaded with their `sender` (see src/services/chat.ts). */
export function presentChatMessages(messages: ChatMessage[]): Array<Schema<'ChatMessage'>> {
  return messages.map((m) => presentChatMessage(m, m.sender!));
}
