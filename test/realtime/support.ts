/** Shared pieces of the realtime tests: tokens with a chosen lifetime, sessions with members. */
import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ACCESS_TYP, ALGORITHM } from '../../src/auth/tokens.ts';
import { addMinutes } from '../../src/lib/time.ts';
import type { Session, User } from '../../src/models/index.ts';
import { buildBooking, buildLearner, buildMentor, buildSession } from '../helpers/factories.ts';
import type { TestServer } from '../helpers/server.ts';
import type { TestSocket } from './client.ts';

/** An access token signed like the server's, expiring `expiresIn` to `expiresIn` + 1 seconds from now (may be past). */
export function accessTokenExpiringIn(server: TestServer, user: User, expiresIn: number): string {
  const { tokens } = server.bundle.deps;
  // `exp` counts whole seconds: rounding now up keeps at least `expiresIn` seconds of validity (a
  // token "expiring in 1" made at x.999 s would otherwise be dead a millisecond later).
  const now = Math.ceil(Date.now() / 1000);
  return jwt.sign({ role: user.role, exp: now + expiresIn, iat: now - 2 }, tokens.accessKey, {
    algorithm: ALGORITHM,
    header: { alg: ALGORITHM, typ: ACCESS_TYP },
    subject: String(user.id),
    issuer: tokens.issuer,
    audience: tokens.audience,
    jwtid: crypto.randomUUID(),
  });
}

export interface Classroom {
  mentor: User;
  session: Session;
  /** Learners with a live booking on `session`. */
  learners: User[];
}

/** A scheduled session of a new mentor with `learners` booked learners, starting in 10 minutes (its room is open). */
export async function buildClassroom(server: TestServer, learners = 2, attrs: Partial<Session> = {}): Promise<Classroom> {
  const mentor = await buildMentor(server.db);
  const session = await buildSession(server.db, { mentor_id: mentor.id, capacity: Math.max(learners, 1) + 1, start_time: addMinutes(new Date(), 10), ...attrs });
  const booked: User[] = [];
  for (let i = 0; i < learners; i++) {
    const learner = await buildLearner(server.db);
    await buildBooking(server.db, { session, learner_id: learner.id });
    booked.push(learner);
  }
  return { mentor, session, learners: booked };
}

/** Peers a socket was told are in `channel` (presence joins minus leaves), after a sync. */
export async function peersSeen(socket: TestSocket, channel: string): Promise<Set<string>> {
  await socket.sync();
  const peers = new Set<string>();
  for (const m of socket.unclaimed((m) => m.type === 'presence' && m.channel === channel)) {
    if (m.event === 'join') peers.add(m.member.peer);
    else peers.delete(m.member.peer);
  }
  return peers;
}

/** Resolves after `turns` turns of the event loop (spreads a racing request over a join's steps). */
export async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}
