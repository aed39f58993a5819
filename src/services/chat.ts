/**
 * Room chat: messages are written in a transaction and broadcast by the realtime hub from the
 * `chat.message` event after COMMIT; history is read over REST and sent to whoever joins the room.
 */
import type { Knex } from 'knex';
import { invalidField } from '../errors.ts';
import { ChatMessage, type Session } from '../models/index.ts';
import type { ActorTx } from './sessions.ts';

/** How many messages a member receives when joining a room. */
export const ROOM_HISTORY_SIZE = 50;

/** Stores a message from `actor` (who may join the room) and records `chat.message`. */
export async function postChatMessage({ actor, trx, emit }: ActorTx, session: Pick<Session, 'id'>, body: string): Promise<ChatMessage> {
  // The schema bounds the length; a body of blanks passes it but says nothing.
  if (body.trim() === '') throw invalidField('body', 'must not be only whitespace');
  const message = await ChatMessage.query(trx).insertAndFetch({ session_id: session.id, sender_id: actor.id, body });
  message.sender = actor;
  emit({ type: 'chat.message', message });
  return message;
}

/** A session's messages with their senders: newest first, or ascending after the `after` cursor. */
export function chatQuery(db: Knex | Knex.Transaction, sessionId: number, filters: { after?: number } = {}) {
  const q = ChatMessage.query(db).where('session_id', sessionId).withGraphFetched('sender');
  if (filters.after !== undefined) return q.where('id', '>', filters.after).orderBy('id', 'asc');
  return q.orderBy('id', 'desc');
}

/** The latest messages of a room, oldest first. */
export async function recentChat(db: Knex | Knex.Transaction, sessionId: number, limit = ROOM_HISTORY_SIZE): Promise<ChatMessage[]> {
  const newestFirst = await chatQuery(db, sessionId).limit(limit);
  return newestFirst.reverse();
}
