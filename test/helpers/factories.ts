/**
 * Test data builders (after Outline's `build*` factories). They write straight to the database
 * (fast, no HTTP), and `tokenFor` signs an access token with the server's own key.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { hashPassword } from '../../src/auth/passwords.ts';
import { addMinutes } from '../../src/lib/time.ts';
import { Booking, Notification, Session, User, type Role, type SessionStatus } from '../../src/models/index.ts';
import type { TestServer } from './server.ts';

export const PASSWORD = 'correct-horse-battery';
let passwordHash: Promise<string> | undefined;
// A cheaper scrypt cost for the many users tests create; login verifies whatever parameters are stored.
const hashOnce = () => (passwordHash ??= hashPassword(PASSWORD, { N: 2 ** 12, r: 8, p: 1 }));

let seq = 0;
const unique = () => `${Date.now().toString(36)}${(++seq).toString(36)}${crypto.randomBytes(2).toString('hex')}`;

export async function buildUser(db: Knex, attrs: Partial<User> & { role?: Role } = {}): Promise<User> {
  const name = attrs.username ?? `user_${unique()}`;
  return User.query(db).insertAndFetch({
    username: name,
    email: attrs.email ?? `${name}@example.test`,
    password_hash: await hashOnce(),
    role: attrs.role ?? 'learner',
    is_admin: false,
    is_active: true,
    first_name: 'Test',
    last_name: name,
    timezone: 'UTC',
    expertise: [],
    ...attrs,
  });
}

export const buildMentor = (db: Knex, attrs: Partial<User> = {}) => buildUser(db, { role: 'mentor', ...attrs });
export const buildLearner = (db: Knex, attrs: Partial<User> = {}) => buildUser(db, { role: 'learner', ...attrs });
export const buildAdmin = (db: Knex, attrs: Partial<User> = {}) => buildUser(db, { role: 'mentor', is_admin: true, ...attrs });

export async function buildSession(
  db: Knex,
  attrs: Partial<Session> & { mentor_id: number; status?: SessionStatus },
): Promise<Session> {
  const start = attrs.start_time ?? addMinutes(new Date(), 24 * 60);
  const duration = attrs.duration ?? 60;
  return Session.query(db).insertAndFetch({
    title: `Session ${unique()}`,
    description: '',
    status: 'scheduled',
    capacity: 1,
    currency: 'USD',
    price_cents: null,
    ...attrs,
    start_time: start,
    duration,
    end_time: addMinutes(start, duration),
  });
}

export async function buildBooking(
  db: Knex,
  attrs: Partial<Booking> & { session: Session; learner_id: number },
): Promise<Booking> {
  const { session, ...rest } = attrs;
  const booking = await Booking.query(db).insertAndFetch({
    session_id: session.id,
    status: 'booked',
    payment_amount_cents: session.price_cents ?? 0,
    currency: session.currency,
    ...rest,
  });
  if (booking.status !== 'cancelled') await Session.query(db).findById(session.id).increment('booked_count', 1);
  return booking;
}

export async function buildNotification(db: Knex, attrs: Partial<Notification> & { user_id: number }): Promise<Notification> {
  return Notification.query(db).insertAndFetch({
    type: 'broadcast',
    message: 'Hello',
    link: null,
    data: {},
    read_status: false,
    ...attrs,
  });
}

export function tokenFor(server: TestServer, user: User): string {
  return server.bundle.deps.tokens.signAccess(user);
}

/** A stay in a session's room (what the realtime hub records when a socket joins and leaves it). */
export async function buildPresence(
  db: Knex,
  attrs: { session: Session; user_id: number; joined_at?: Date; left_at?: Date | null; connection_id?: string },
): Promise<void> {
  const joined = attrs.joined_at ?? attrs.session.start_time;
  await db('room_presence').insert({
    session_id: attrs.session.id,
    user_id: attrs.user_id,
    connection_id: attrs.connection_id ?? unique(),
    joined_at: joined.toISOString(),
    left_at: attrs.left_at === undefined ? addMinutes(joined, 10).toISOString() : attrs.left_at && attrs.left_at.toISOString(),
  });
}
