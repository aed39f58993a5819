/**
 * Session rooms (`room_{session_id}`): presence, WebRTC signalling and chat.
 *
 * Every process keeps, per room it has members in, a mirror of the whole membership (from the
 * presence snapshot at join time plus the `join`/`leave` envelopes that follow) and, per local
 * member, the set of peers that client has been told about, so each client hears of every other
 * peer exactly once, whatever order joins race in across processes.
 *
 * Initiator choice: presence gives every join a sequence number; of any two members the newer one
 * makes the offer. A newcomer therefore offers to everyone in its `room_state`, and the others are
 * told by `presence` to expect its offer. A peer that drops and rejoins is a new peer (new id, new
 * sequence number), so the other side rebuilds its connection.
 *
 * Ordering: a joining member is announced to the others *before* it receives `room_state`, so
 * nobody gets an offer from a peer they have not heard of; while a join is in progress, whatever
 * the room sends to the newcomer waits in a backlog that is replayed after `room_state`.
 */
import type { Knex } from 'knex';
import { inTransaction, type EventBus } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { Session, User } from '../models/index.ts';
import { presentChatMessages } from '../presenters/chat.ts';
import { recordRoomJoin, recordRoomLeave } from '../services/attendance.ts';
import { roomWindow, roomWindowState, type RoomWindowSettings } from '../views/roomWindow.ts';
import { postChatMessage, recentChat } from '../services/chat.ts';
import { assertMayChat, reauthorize } from './access.ts';
import type { Envelope, EvictReason, MemberRecord, Presence } from './backend.ts';
import { parseChannel, roomChannel } from './channels.ts';
import type { SignalLimits } from './signalLimits.ts';
import type { Connection } from './connection.ts';
import { withRef, WsError, type ClientMessage, type RoomMember } from './protocol.ts';

type SignalMessage = Extract<ClientMessage, { type: 'signal' }>;
type ChatMessageIn = Extract<ClientMessage, { type: 'chat' }>;
export type LeaveReason = EvictReason | 'requested' | 'closed';

export interface RoomsContext {
  db: Knex;
  events: EventBus;
  logger: Logger;
  presence: Presence;
  /** When a session's room may be entered (src/services/attendance.ts). */
  window: RoomWindowSettings;
  /** Starts (first call) or keeps receiving a channel from other processes. */
  acquire(channel: string): Promise<void>;
  release(channel: string): void;
  /** Delivers an envelope to this process's sockets and/or hands it to the other processes. */
  dispatch(channel: string, envelope: Envelope, where?: 'everywhere' | 'local' | 'remote'): void;
  /** Byte limits on relayed signals (signalLimits.ts). */
  signals: SignalLimits;
}

interface LocalMember {
  conn: Connection;
  record: MemberRecord;
  /** Peers this client has been told about (room_state, presence join). */
  known: Set<string>;
  /** Envelopes that arrived while the join was in progress; null once joined. */
  backlog: Envelope[] | null;
}

interface Room {
  id: number;
  channel: string;
  /** Every member, on every process. */
  members: Map<string, MemberRecord>;
  /** This process's members, by peer. */
  local: Map<string, LocalMember>;
  /** Resolves once the room's channel is received from other processes. */
  listening: Promise<void>;
}

const publicMember = (m: MemberRecord): RoomMember => ({ peer: m.peer, user: m.user, role: m.role });

export class Rooms {
  readonly #rooms = new Map<number, Room>();

  constructor(private readonly ctx: RoomsContext) {}

  /** Whether this process has members in the room. */
  has(sessionId: number): boolean {
    return this.#rooms.has(sessionId);
  }

  /** Adds `conn` to the room of `session` (already authorised): announce, then `room_state`. */
  async join(conn: Connection, session: Session, user: User, ref?: string): Promise<void> {
    const channel = roomChannel(session.id);
    this.#assertWindow(session, channel);
    const role = session.mentor_id === user.id ? 'mentor' : 'learner';
    // Read before entering, so nothing awaits between the announcement and room_state.
    const history = presentChatMessages(await recentChat(this.ctx.db, session.id));
    // Attendance: this stay is recorded before anyone is told of it (closed by `leave`).
    await recordRoomJoin(this.ctx.db, { sessionId: session.id, userId: user.id, connectionId: conn.peer });
    const room = this.#room(session.id);
    const member: LocalMember = { conn, record: { peer: conn.peer, user: user.id, role, seq: 0 }, known: new Set(), backlog: [] };
    room.local.set(conn.peer, member);
    conn.channels.add(channel);
    let joined: Awaited<ReturnType<Presence['join']>>;
    try {
      await room.listening;
      await this.#reauthorize(room, member);
      joined = await this.ctx.presence.join(session.id, publicMember(member.record));
    } catch (err) {
      if (err instanceof WsError) throw err;
      this.#forget(room, member);
      await this.#recordLeave(session.id, conn.peer);
      this.ctx.logger.warn({ reason: (err as Error).message, room: session.id }, 'room join failed: presence unavailable');
      throw new WsError('unavailable', 'The room cannot be joined right now (shared presence unavailable); try again.', { channel });
    }
    member.record.seq = joined.seq;
    for (const other of joined.others) room.members.set(other.peer, other);
    room.members.set(conn.peer, member.record);
    this.ctx.dispatch(channel, { kind: 'join', member: member.record });
    conn.send({ type: 'subscribed', channel, ...withRef(ref) });
    conn.send({
      type: 'room_state',
      channel,
      peer: conn.peer,
      members: joined.others.map((other) => ({ ...publicMember(other), initiator: joined.seq > other.seq })),
      history,
    });
    for (const other of joined.others) member.known.add(other.peer);
    const backlog = member.backlog ?? [];
    member.backlog = null;
    for (const envelope of backlog) this.#deliverTo(room, member, envelope);
  }

  /**
   * Removes `conn` from the room and announces the leave. Tells the client why unless its socket
   * is gone (`closed`). Returns false when it was not in the room.
   */
  async leave(conn: Connection, sessionId: number, reason: LeaveReason, ref?: string): Promise<boolean> {
    const room = this.#rooms.get(sessionId);
    const member = room?.local.get(conn.peer);
    if (!room || !member) return false;
    this.#forget(room, member);
    await this.#recordLeave(sessionId, conn.peer);
    let removed = true;
    try {
      removed = await this.ctx.presence.leave(sessionId, conn.peer);
    } catch (err) {
      // Announce anyway: local members must hear it; presence drops the entry when it expires.
      this.ctx.logger.warn({ reason: (err as Error).message, room: sessionId }, 'room leave not recorded: presence unavailable');
    }
    if (removed) this.ctx.dispatch(room.channel, { kind: 'leave', member: member.record });
    if (reason !== 'closed') conn.send({ type: 'unsubscribed', channel: room.channel, reason, ...withRef(ref) });
    return true;
  }

  /** Relays an opaque signal to one peer of a room the sender has joined, stamping the sender. */
  signal(conn: Connection, message: SignalMessage): void {
    const { room } = this.#membership(conn, message.channel, 'signalling');
    if (message.to === conn.peer || !room.members.has(message.to)) {
      throw new WsError('unknown_peer', `There is no peer "${message.to}" in this room.`, { channel: message.channel });
    }
    const data = JSON.stringify({
      type: 'signal',
      channel: message.channel,
      from: { peer: conn.peer, user: conn.userId },
      data: message.data,
    });
    if (!this.ctx.signals.fromSender(conn, Buffer.byteLength(data))) return;
    this.ctx.dispatch(message.channel, { kind: 'signal', to: message.to, from: conn.peer, data }, room.local.has(message.to) ? 'local' : 'remote');
  }

  /** Stores a chat message; its broadcast comes from the `chat.message` event after COMMIT. */
  async chat(conn: Connection, user: User, message: ChatMessageIn): Promise<void> {
    const { room } = this.#membership(conn, message.channel, 'chatting');
    await inTransaction(this.ctx.db, this.ctx.events, async (tx) => {
      await assertMayChat(tx.trx, user, parseChannel(room.channel));
      return postChatMessage({ actor: user, ...tx }, { id: room.id }, message.body);
    });
    if (message.id) conn.send({ type: 'ack', ref: message.id });
  }

  /** An envelope for a room, from this process or another. */
  onEnvelope(sessionId: number, envelope: Envelope): void {
    const room = this.#rooms.get(sessionId);
    if (!room) return;
    switch (envelope.kind) {
      case 'join':
        room.members.set(envelope.member.peer, envelope.member);
        break;
      case 'leave':
        room.members.delete(envelope.member.peer);
        break;
      case 'evict':
        for (const member of room.local.values()) {
          if (envelope.user !== undefined && member.record.user !== envelope.user) continue;
          const { conn } = member;
          conn.enqueue(async () => void (await this.leave(conn, sessionId, envelope.reason)));
        }
        return;
      case 'signal': {
        const target = room.local.get(envelope.to);
        if (!target) return;
        if (this.ctx.signals.toTarget(target.conn, Buffer.byteLength(envelope.data))) this.#deliverOrHold(room, target, envelope);
        else this.#refuseSignal(room, envelope.to, envelope.from);
        return;
      }
      case 'signal_refused': {
        const sender = room.local.get(envelope.to);
        if (sender) this.ctx.signals.refusedByTarget(sender.conn, room.channel, envelope.peer);
        return;
      }
      case 'close':
        return;
    }
    for (const member of room.local.values()) this.#deliverOrHold(room, member, envelope);
  }

  /**
   * Heartbeat work: confirm this process's members to presence, send members whose entry lapsed
   * back to rejoin, and announce the leave of members whose process stopped refreshing.
   */
  async heartbeat(): Promise<void> {
    await Promise.all(
      [...this.#rooms.values()].map(async (room) => {
        const joined = [...room.local.values()].filter((m) => m.backlog === null).map((m) => m.record);
        try {
          for (const peer of await this.ctx.presence.refresh(room.id, joined)) {
            const member = room.local.get(peer);
            if (member) member.conn.enqueue(async () => void (await this.leave(member.conn, room.id, 'presence_lost')));
          }
          for (const dead of await this.ctx.presence.expired(room.id)) {
            this.ctx.dispatch(room.channel, { kind: 'leave', member: dead });
          }
        } catch (err) {
          this.ctx.logger.warn({ reason: (err as Error).message, room: room.id }, 'room presence refresh failed');
        }
      }),
    );
  }

  /** Refuses to enter a room outside its window (before the lead time, after the end + grace). */
  #assertWindow(session: Session, channel: string): void {
    const state = roomWindowState(session, this.ctx.window, new Date());
    if (state === 'open') return;
    const { opensAt, closesAt } = roomWindow(session, this.ctx.window);
    if (state === 'not_open_yet') {
      throw new WsError('room_window_not_open', `The room opens at ${opensAt.toISOString()}, ${this.ctx.window.leadMinutes} minutes before the session starts.`, { channel });
    }
    throw new WsError('room_window_closed', `The room closed at ${closesAt.toISOString()}, ${this.ctx.window.graceMinutes} minutes after the session ended.`, { channel });
  }

  /** Closes this socket's presence record; a failure is logged (the row is closed at completion). */
  async #recordLeave(sessionId: number, peer: string): Promise<void> {
    try {
      await recordRoomLeave(this.ctx.db, { sessionId, connectionId: peer });
    } catch (err) {
      this.ctx.logger.warn({ reason: (err as Error).message, room: sessionId }, 'room leave not recorded in attendance');
    }
  }

  #room(sessionId: number): Room {
    let room = this.#rooms.get(sessionId);
    if (!room) {
      const channel = roomChannel(sessionId);
      room = { id: sessionId, channel, members: new Map(), local: new Map(), listening: this.ctx.acquire(channel) };
      this.#rooms.set(sessionId, room);
    }
    return room;
  }

  /**
   * The join's second authorisation, once the member is listed and the room's channel is received
   * from every process: a right that ended before this read is refused here (nothing announced,
   * no history sent); one that ends after it evicts the member like any other.
   */
  async #reauthorize(room: Room, member: LocalMember): Promise<void> {
    try {
      await reauthorize(this.ctx.db, member.conn.userId, parseChannel(room.channel));
    } catch (err) {
      this.#forget(room, member);
      if (err instanceof WsError) throw err;
      this.ctx.logger.warn({ reason: (err as Error).message, room: room.id }, 'room join failed: re-authorisation failed');
      throw new WsError('unavailable', 'The room cannot be joined right now; try again.', { channel: room.channel });
    }
  }

  /** Drops a local member from this process's view; the last one out stops receiving the room. */
  #forget(room: Room, member: LocalMember): void {
    room.local.delete(member.conn.peer);
    room.members.delete(member.conn.peer);
    member.conn.channels.delete(room.channel);
    if (room.local.size === 0) {
      this.#rooms.delete(room.id);
      this.ctx.release(room.channel);
    }
  }

  #membership(conn: Connection, channel: string, doing: string): { room: Room; member: LocalMember } {
    const room = this.#rooms.get(parseChannel(channel).id);
    const member = room?.local.get(conn.peer);
    if (!room || !member || member.backlog !== null) {
      throw new WsError('not_subscribed', `Join the room (subscribe to ${channel}) before ${doing} in it.`, { channel });
    }
    return { room, member };
  }

  /** A signal its target cannot take: dropped, and its sender told wherever it is connected. */
  #refuseSignal(room: Room, target: string, from: string | undefined): void {
    if (from === undefined) return;
    const sender = room.local.get(from);
    if (sender) this.ctx.signals.refusedByTarget(sender.conn, room.channel, target);
    else this.ctx.dispatch(room.channel, { kind: 'signal_refused', to: from, peer: target }, 'remote');
  }

  #deliverOrHold(room: Room, member: LocalMember, envelope: Envelope): void {
    if (member.backlog) member.backlog.push(envelope);
    else this.#deliverTo(room, member, envelope);
  }

  #deliverTo(room: Room, member: LocalMember, envelope: Envelope): void {
    switch (envelope.kind) {
      case 'push':
      case 'signal':
        member.conn.send(envelope.data);
        return;
      case 'join': {
        const other = envelope.member;
        if (other.peer === member.record.peer || member.known.has(other.peer)) return;
        member.known.add(other.peer);
        const initiator = member.record.seq > other.seq;
        member.conn.send({ type: 'presence', channel: room.channel, event: 'join', member: publicMember(other), initiator });
        return;
      }
      case 'leave':
        if (!member.known.delete(envelope.member.peer)) return;
        member.conn.send({ type: 'presence', channel: room.channel, event: 'leave', member: publicMember(envelope.member) });
        return;
      default:
        return;
    }
  }
}
