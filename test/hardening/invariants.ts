/**
 * `assertInvariants(db)`: the data rules that must hold after ANY sequence of requests, checked by
 * reading the whole database (the hardening suites run it after thousands of hostile requests).
 * Several rules are also database constraints; checking them here too means a migration that drops
 * a constraint, or a raw query that bypasses a service, cannot break them silently.
 *
 * Every violation found is collected, so one failure lists them all.
 */
import { AssertionError } from 'node:assert';
import type { Knex } from 'knex';

type Row = Record<string, any>;

const LIVE = (status: string) => status !== 'cancelled';
const time = (v: unknown) => (v == null ? null : new Date(v as string | Date).getTime());
const bool = (v: unknown) => v === true || v === 1 || v === '1';

async function tables(db: Knex) {
  const [users, sessions, bookings, requests, feedback, payouts, notifications, chat] = await Promise.all([
    db('users').select('id', 'role', 'is_admin', 'currency'),
    db('sessions').select('id', 'mentor_id', 'status', 'capacity', 'booked_count', 'start_time', 'duration', 'end_time', 'price_cents', 'currency', 'cancelled_at', 'started_at'),
    db('bookings').select('id', 'session_id', 'learner_id', 'status', 'payment_amount_cents', 'currency', 'cancelled_at'),
    db('requests').select('id', 'learner_id', 'mentor_id', 'status', 'session_id', 'responded_at'),
    db('feedback').select('id', 'session_id', 'learner_id', 'rating'),
    db('payouts').select('id', 'mentor_id', 'amount_cents', 'currency', 'status', 'processed_at', 'processed_by'),
    db('notifications').select('id', 'user_id', 'read_status', 'read_at'),
    db('chat_messages').select('id', 'session_id', 'sender_id'),
  ]);
  return { users, sessions, bookings, requests, feedback, payouts, notifications, chat } as Record<string, Row[]>;
}

/** Every broken rule, as one line each (empty when the data is consistent). */
export async function findViolations(db: Knex): Promise<string[]> {
  const t = await tables(db);
  const problems: string[] = [];
  const fail = (msg: string) => problems.push(msg);
  const sessionById = new Map(t.sessions!.map((s) => [s.id as number, s]));
  const userById = new Map(t.users!.map((u) => [u.id as number, u]));

  // Sessions: booked_count mirrors the live bookings and never exceeds capacity; times agree.
  const liveBySession = new Map<number, number>();
  for (const b of t.bookings!) if (LIVE(b.status)) liveBySession.set(b.session_id, (liveBySession.get(b.session_id) ?? 0) + 1);
  for (const s of t.sessions!) {
    const live = liveBySession.get(s.id) ?? 0;
    if (Number(s.booked_count) !== live) fail(`session ${s.id}: booked_count ${s.booked_count} but ${live} live bookings`);
    if (live > Number(s.capacity)) fail(`session ${s.id}: ${live} live bookings above capacity ${s.capacity}`);
    if (time(s.end_time) !== time(s.start_time)! + Number(s.duration) * 60_000) fail(`session ${s.id}: end_time is not start_time + duration`);
    if ((s.status === 'cancelled') !== (s.cancelled_at != null)) fail(`session ${s.id}: status ${s.status} with cancelled_at ${s.cancelled_at}`);
    if (s.status === 'cancelled' && live > 0) fail(`session ${s.id}: cancelled with ${live} live bookings`);
    if (userById.get(s.mentor_id) === undefined) fail(`session ${s.id}: mentor ${s.mentor_id} does not exist`);
  }

  // Bookings: one live booking per learner and session; cancelled ⇔ cancelled_at; paid what it cost.
  const liveKeys = new Set<string>();
  for (const b of t.bookings!) {
    if ((b.status === 'cancelled') !== (b.cancelled_at != null)) fail(`booking ${b.id}: status ${b.status} with cancelled_at ${b.cancelled_at}`);
    if (Number(b.payment_amount_cents) < 0) fail(`booking ${b.id}: negative payment`);
    const session = sessionById.get(b.session_id);
    if (!session) fail(`booking ${b.id}: session ${b.session_id} does not exist`);
    if (b.learner_id === session?.mentor_id) fail(`booking ${b.id}: the mentor booked their own session`);
    if (!LIVE(b.status)) continue;
    const key = `${b.session_id}:${b.learner_id}`;
    if (liveKeys.has(key)) fail(`learner ${b.learner_id} holds two live bookings on session ${b.session_id}`);
    liveKeys.add(key);
  }

  // Requests: accepted ⇔ a session is set (the mentor's, with the learner booked); answered ⇔ responded_at.
  for (const r of t.requests!) {
    if ((r.status === 'accepted') !== (r.session_id != null)) fail(`request ${r.id}: status ${r.status} with session ${r.session_id}`);
    const answered = r.status === 'accepted' || r.status === 'declined';
    if (answered !== (r.responded_at != null)) fail(`request ${r.id}: status ${r.status} with responded_at ${r.responded_at}`);
    if (r.learner_id === r.mentor_id) fail(`request ${r.id}: asks its own learner`);
    if (r.status !== 'accepted' || r.session_id == null) continue;
    const session = sessionById.get(r.session_id);
    if (session && session.mentor_id !== r.mentor_id) fail(`request ${r.id}: accepted into another mentor's session ${r.session_id}`);
    if (!t.bookings!.some((b) => b.session_id === r.session_id && b.learner_id === r.learner_id)) {
      fail(`request ${r.id}: accepted without booking learner ${r.learner_id} on session ${r.session_id}`);
    }
  }

  // Feedback: one per learner and session, 1–5, by a learner who attended a completed session.
  const feedbackKeys = new Set<string>();
  for (const f of t.feedback!) {
    const key = `${f.session_id}:${f.learner_id}`;
    if (feedbackKeys.has(key)) fail(`learner ${f.learner_id} gave feedback twice on session ${f.session_id}`);
    feedbackKeys.add(key);
    if (!(Number(f.rating) >= 1 && Number(f.rating) <= 5)) fail(`feedback ${f.id}: rating ${f.rating}`);
    if (sessionById.get(f.session_id)?.status !== 'completed') fail(`feedback ${f.id}: session ${f.session_id} is not completed`);
    if (!t.bookings!.some((b) => b.session_id === f.session_id && b.learner_id === f.learner_id && b.status === 'attended')) {
      fail(`feedback ${f.id}: learner ${f.learner_id} did not attend session ${f.session_id}`);
    }
  }

  // Completed sessions have decided every live booking: attended or no_show (docs/rules.md).
  for (const b of t.bookings!) {
    if (b.status === 'booked' && sessionById.get(b.session_id)?.status === 'completed') fail(`booking ${b.id}: still booked on a completed session`);
    if ((b.status === 'attended' || b.status === 'no_show') && sessionById.get(b.session_id)?.status !== 'completed') {
      fail(`booking ${b.id}: ${b.status} on a session that is not completed`);
    }
  }

  // Payouts: positive; decided ones name the admin and the time; never more than was earned
  // (attended bookings, and no-shows of sessions that were held).
  const earnedByMentor = new Map<number, number>();
  for (const b of t.bookings!) {
    const s = sessionById.get(b.session_id);
    if (!s || s.status !== 'completed') continue;
    if (!(b.status === 'attended' || (b.status === 'no_show' && s.started_at != null))) continue;
    earnedByMentor.set(s.mentor_id, (earnedByMentor.get(s.mentor_id) ?? 0) + Number(b.payment_amount_cents));
  }
  const drawnByMentor = new Map<number, number>();
  for (const p of t.payouts!) {
    if (!(Number(p.amount_cents) > 0)) fail(`payout ${p.id}: amount ${p.amount_cents}`);
    const decided = p.status !== 'pending';
    if (decided !== (p.processed_at != null)) fail(`payout ${p.id}: status ${p.status} with processed_at ${p.processed_at}`);
    if (decided && p.processed_by != null && !bool(userById.get(p.processed_by)?.is_admin)) {
      fail(`payout ${p.id}: processed by ${p.processed_by}, who is not an admin`);
    }
    if (p.status !== 'rejected') drawnByMentor.set(p.mentor_id, (drawnByMentor.get(p.mentor_id) ?? 0) + Number(p.amount_cents));
  }
  for (const [mentor, drawn] of drawnByMentor) {
    const earned = earnedByMentor.get(mentor) ?? 0;
    if (drawn > earned) fail(`mentor ${mentor}: payouts of ${drawn} cents above earnings of ${earned}`);
  }

  // Money keeps its unit: a priced session is in its mentor's currency, a booking in its session's,
  // a payout in its mentor's (the database's currency guards refuse anything else).
  for (const s of t.sessions!) {
    const mentorCurrency = userById.get(s.mentor_id)?.currency;
    if (Number(s.price_cents) > 0 && s.currency !== mentorCurrency) fail(`session ${s.id}: priced in ${s.currency}, its mentor's currency is ${mentorCurrency}`);
  }
  for (const b of t.bookings!) {
    const sessionCurrency = sessionById.get(b.session_id)?.currency;
    if (b.currency !== sessionCurrency) fail(`booking ${b.id}: in ${b.currency}, its session's currency is ${sessionCurrency}`);
  }
  for (const p of t.payouts!) {
    const mentorCurrency = userById.get(p.mentor_id)?.currency;
    if (p.currency !== mentorCurrency) fail(`payout ${p.id}: in ${p.currency}, its mentor's currency is ${mentorCurrency}`);
  }

  // Notifications: read ⇔ read_at.
  for (const n of t.notifications!) {
    if (bool(n.read_status) !== (n.read_at != null)) fail(`notification ${n.id}: read_status ${n.read_status} with read_at ${n.read_at}`);
  }

  // Chat: written by the session's mentor or a learner who held a seat on it.
  for (const m of t.chat!) {
    const s = sessionById.get(m.session_id);
    const seated = t.bookings!.some((b) => b.session_id === m.session_id && b.learner_id === m.sender_id);
    if (!s || (s.mentor_id !== m.sender_id && !seated)) fail(`chat message ${m.id}: sender ${m.sender_id} is not in session ${m.session_id}`);
  }
  return problems;
}

/** Throws an AssertionError listing every broken rule. */
export async function assertInvariants(db: Knex): Promise<void> {
  const problems = await findViolations(db);
  if (problems.length) {
    throw new AssertionError({ message: `database invariants broken:\n  ${problems.slice(0, 50).join('\n  ')}` });
  }
}
