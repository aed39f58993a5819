/**
 * Channel names and who may subscribe to them. The rules are the REST policies
 * (src/policies/session.ts), applied to the session loaded with the caller's booking:
 *
 *   notifications_{user_id}  only that user
 *   session_{session_id}     whoever may `read` the session
 *   room_{session_id}        whoever may `join_room` it, while it is scheduled or in progress
 *
 * A host platform's user token narrows this further (authorizeChannelScope): a `dashboard` or
 * `booking` token joins no room, a `room` token nothing but its own session's two channels.
 */
import type { Knex } from 'knex';
import type { UserTokenScope } from '../auth/tokens.ts';
import type { Session, User } from '../models/index.ts';
import { can } from '../policies/index.ts';
import { loadSessionForUser } from '../services/sessionAccess.ts';
import { WsError } from './protocol.ts';

export type ChannelKind = 'notifications' | 'session' | 'room';

export interface Channel {
  name: string;
  kind: ChannelKind;
  /** The user id (notifications) or the session id (session, room). */
  id: number;
}

/** Parses a name the validator already accepted (`WsChannel`'s pattern). */
export function parseChannel(name: string): Channel {
  const [, kind, id] = /^(notifications|session|room)_(\d+)$/.exec(name) ?? [];
  if (!kind || !id) throw new Error(`not a channel name: ${name}`);
  return { name, kind: kind as ChannelKind, id: Number(id) };
}

export const notificationsChannel = (userId: number) => `notifications_${userId}`;
export const sessionChannel = (sessionId: number) => `session_${sessionId}`;
export const roomChannel = (sessionId: number) => `room_${sessionId}`;

/** Rooms are open while the class can still happen or is happening. */
export const isRoomOpen = (session: Session) => session.status === 'scheduled' || session.status === 'in_progress';

/**
 * Checks that `user` may subscribe to `channel`; throws a WsError otherwise. Returns the session
 * for session and room channels (the room needs it for the member's role).
 */
export async function authorizeChannel(db: Knex, user: User, channel: Channel): Promise<Session | undefined> {
  if (channel.kind === 'notifications') {
    if (channel.id !== user.id) throw new WsError('forbidden', 'Only the user themself may listen to their notifications.', { channel: channel.name });
    return undefined;
  }
  const session = await loadSessionForUser(db, user, channel.id);
  if (!session || !can(user, 'read', session)) throw new WsError('not_found', 'Session not found.', { channel: channel.name });
  if (channel.kind === 'session') return session;
  if (!can(user, 'join_room', session)) {
    throw new WsError('forbidden', 'Only the mentor and learners with a live booking may join this room.', { channel: channel.name });
  }
  if (!isRoomOpen(session)) {
    throw new WsError('room_not_open', `The session is ${session.status}; its room is open while it is scheduled or in progress.`, {
      channel: channel.name,
    });
  }
  return session;
}

/** Refuses a channel outside the socket's token scope (before anything is loaded). */
export function authorizeChannelScope(socket: { scope: UserTokenScope; roomSession: number | null }, channel: Channel): void {
  if (socket.scope === 'room' && (channel.kind === 'notifications' || channel.id !== socket.roomSession)) {
    throw new WsError('insufficient_scope', `This socket's token is for the room of session ${socket.roomSession} only.`, { channel: channel.name });
  }
  // Rooms only for the full scope and a room token (its own, above): `dashboard`, `booking` and any
  // scope added later join none.
  if (channel.kind === 'room' && socket.scope !== 'full' && socket.scope !== 'room') {
    throw new WsError('insufficient_scope', `A ${socket.scope} token cannot join rooms; the room needs a room token.`, { channel: channel.name });
  }
}
