/**
 * What the hub shares with other server processes, behind two interfaces:
 *
 * - `Broker`: channel messages ("envelopes"). The hub always delivers an envelope to its own
 *   sockets itself and hands it to the broker for the *other* processes, so in-process delivery
 *   never waits for a network hop and keeps program order.
 * - `Presence`: who is in which room, with a per-room join sequence number. The newer member of
 *   every pair (higher `seq`) makes the WebRTC offer, so the initiator choice is the same in every
 *   process.
 *
 * `createLocalBackend()` is the single-process implementation (the default); with REDIS_URL,
 * `createRedisBackend()` (redisBackend.ts) implements both over Redis.
 */
import type { RoomMember } from './protocol.ts';

/** A room member as presence stores it: the public fields and the join order. */
export interface MemberRecord extends RoomMember {
  seq: number;
}

export type EvictReason = 'booking_cancelled' | 'session_ended' | 'presence_lost';
/** Why a `session_{id}` subscriber is checked again (and told, if it lost the right to read). */
export type RecheckReason = 'booking_cancelled' | 'access_revoked';

/** What travels on a channel between processes. `data` is an already serialised server message. */
export type Envelope =
  /** To every local subscriber of the channel. */
  | { kind: 'push'; data: string }
  /** To one room member, from the peer `from`. */
  | { kind: 'signal'; to: string; from?: string; data: string }
  /** A signal of room member `to` was refused by `peer`'s process (peer_busy, signalLimits.ts). */
  | { kind: 'signal_refused'; to: string; peer: string }
  /** Room presence: a member joined or left (every process mirrors the membership). */
  | { kind: 'join'; member: MemberRecord }
  | { kind: 'leave'; member: MemberRecord }
  /** Removes a user's (or, without `user`, every) member from a room. */
  | { kind: 'evict'; user?: number; reason: EvictReason }
  /** Checks a user's (or, without `user`, every) subscriber of a session channel again; those who may no longer read it are unsubscribed. */
  | { kind: 'recheck'; user?: number; reason: RecheckReason }
  /** Closes every socket of the user whose notifications channel this is. */
  | { kind: 'close'; code: number; reason: string };

export type EnvelopeHandler = (channel: string, envelope: Envelope) => void;

export interface Broker {
  /** True when other processes may hold subscribers (pushes must then be rendered even without local ones). */
  readonly shared: boolean;
  /** Starts receiving `channel` from other processes; resolves once that is in effect. */
  listen(channel: string): Promise<void>;
  unlisten(channel: string): void;
  /** Hands the envelope to the other processes listening to `channel`. Never throws. */
  publish(channel: string, envelope: Envelope): void;
}

export interface Presence {
  /** Adds the member; returns its join sequence number and the other members present. */
  join(room: number, member: RoomMember): Promise<{ seq: number; others: MemberRecord[] }>;
  /** Removes the member; false when it was already gone (so only one process announces a leave). */
  leave(room: number, peer: string): Promise<boolean>;
  /**
   * Confirms that these (local) members are still connected; returns the peers among them that
   * were already swept as expired (they must rejoin as new peers).
   */
  refresh(room: number, members: MemberRecord[]): Promise<string[]>;
  /** Removes and returns members nobody confirmed in time (their process stopped). */
  expired(room: number): Promise<MemberRecord[]>;
}

export interface Backend {
  broker: Broker;
  presence: Presence;
  close(): Promise<void>;
}

/** One process: nobody else to tell, and membership lives in memory. */
export function createLocalBackend(): Backend {
  const rooms = new Map<number, { seq: number; members: Map<string, MemberRecord> }>();
  const presence: Presence = {
    async join(room, member) {
      let state = rooms.get(room);
      if (!state) rooms.set(room, (state = { seq: 0, members: new Map() }));
      const others = [...state.members.values()];
      const record = { ...member, seq: ++state.seq };
      state.members.set(member.peer, record);
      return { seq: record.seq, others };
    },
    async leave(room, peer) {
      const state = rooms.get(room);
      const removed = state?.members.delete(peer) ?? false;
      if (state && state.members.size === 0) rooms.delete(room);
      return removed;
    },
    async refresh() {
      return [];
    },
    async expired() {
      return [];
    },
  };
  const broker: Broker = {
    shared: false,
    listen: async () => {},
    unlisten: () => {},
    publish: () => {},
  };
  return { broker, presence, close: async () => {} };
}
