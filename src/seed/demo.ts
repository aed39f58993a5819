/**
 * The demo data set (`mentorctl seed --demo`): four mentors and eight learners with profiles, a year
 * of history and the coming weeks — sessions in every status, paid and free, one-to-one and group;
 * bookings (attended, no-shows, cancelled); requests in every status; feedback; chat; notifications;
 * payouts in every status.
 *
 * It writes through the models in one transaction and keeps every rule the API keeps:
 * `booked_count` equals the live bookings, `end_time` is `start_time + duration`, a request is
 * accepted exactly when it has a session, one feedback per learner and session (attended bookings
 * of completed sessions only), and no payout ever exceeds the mentor's available balance at the
 * time it was requested (earned from completed sessions' live bookings, minus payouts not rejected).
 *
 * Idempotent: demo accounts are keyed by username (and recognised by their e-mail domain), and a
 * mentor's history is written only together with the mentor. Running it again adds nothing; a demo
 * mentor who was deleted comes back with a fresh history. Times are relative to `now`; the choices
 * come from a seeded generator, so every run builds the same shape.
 */
import type { Knex } from 'knex';
import { hashPassword } from '../auth/passwords.ts';
import { formatCents } from '../lib/money.ts';
import { addMinutes } from '../lib/time.ts';
import {
  Booking,
  ChatMessage,
  Feedback,
  MentorRequest,
  Notification,
  Payout,
  Session,
  User,
  type BookingStatus,
  type NotificationData,
  type NotificationType,
  type PayoutStatus,
  type Role,
  type SessionStatus,
} from '../models/index.ts';
import { links } from '../services/notifications.ts';
import { CHAT_LINES, DEMO_LEARNERS, DEMO_MENTORS, FEEDBACK_COMMENTS, REQUEST_TOPICS, type DemoMentor, type DemoPerson } from './people.ts';

export const DEMO_PASSWORD = 'demo-password';
export const DEMO_EMAIL_DOMAIN = 'demo.test';

export const DEMO_TABLES = ['users', 'sessions', 'bookings', 'requests', 'feedback', 'payouts', 'notifications', 'chat_messages'] as const;
export type DemoTable = (typeof DEMO_TABLES)[number];

export interface DemoCredential {
  username: string;
  role: Role;
  password: string;
}

export interface DemoSeedResult {
  /** Rows written by this run, per table (all zero when the demo was already there). */
  created: Record<DemoTable, number>;
  credentials: DemoCredential[];
}

export interface DemoSeedOptions {
  now?: Date;
  /** Called as each part starts (for a progress line). */
  onStep?: (step: string) => void;
}

const MINUTE = 1;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** mulberry32: a tiny seeded generator, so the demo has the same shape on every run. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    chance: (p: number) => next() < p,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    /** `count` distinct items. */
    sample: <T>(items: readonly T[], count: number): T[] => {
      const pool = [...items];
      const out: T[] = [];
      while (out.length < count && pool.length) out.push(pool.splice(Math.floor(next() * pool.length), 1)[0]!);
      return out;
    },
  };
}
type Rng = ReturnType<typeof generator>;

/** Minutes by which `tz` is ahead of UTC at `at`. */
function zoneOffsetMinutes(at: Date, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((wall - at.getTime()) / 60_000);
}

/** The instant it is `hour`:`minute` in `tz` on the (UTC) calendar day of `day`. */
function atLocalTime(day: Date, hour: number, minute: number, tz: string): Date {
  const guess = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour, minute));
  return addMinutes(guess, -zoneOffsetMinutes(guess, tz));
}

const fullName = (u: Pick<User, 'first_name' | 'last_name'>) => `${u.first_name} ${u.last_name}`;
const money = (cents: number) => `${formatCents(cents)} USD`;
const dayLabel = (d: Date) => d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

interface PlannedBooking {
  learner: User;
  status: BookingStatus;
}

/** Writes rows in one transaction and counts them per table. */
class DemoWriter {
  readonly created: Record<DemoTable, number> = Object.fromEntries(DEMO_TABLES.map((t) => [t, 0])) as Record<DemoTable, number>;

  constructor(
    readonly trx: Knex.Transaction,
    readonly now: Date,
  ) {}

  ago(minutes: number): Date {
    return addMinutes(this.now, -minutes);
  }

  async user(person: DemoPerson, role: Role): Promise<User> {
    const user = await User.query(this.trx).insertAndFetch({
      ...person,
      email: `${person.username}@${DEMO_EMAIL_DOMAIN}`,
      password_hash: await hashPassword(DEMO_PASSWORD),
      role,
      is_admin: false,
      is_active: true,
      currency: 'USD',
      created_at: this.ago(400 * DAY),
      last_login: this.ago(2 * DAY),
    });
    this.created.users++;
    return user;
  }

  async session(attrs: Partial<Session> & { mentor_id: number; start_time: Date; duration: number; status: SessionStatus }): Promise<Session> {
    const session = await Session.query(this.trx).insertAndFetch({
      description: '',
      currency: 'USD',
      capacity: 1,
      booked_count: 0,
      created_at: addMinutes(attrs.start_time, -14 * DAY),
      ...attrs,
      end_time: addMinutes(attrs.start_time, attrs.duration),
    });
    this.created.sessions++;
    return session;
  }

  /** Books the learners (live ones counted into booked_count) with the session's price. */
  async bookings(
    session: Session,
    planned: readonly PlannedBooking[],
    times: { bookedAt?: Date; readyAt?: Date; joinedAt?: Date; cancelledAt?: Date } = {},
  ): Promise<void> {
    for (const { learner, status } of planned) {
      const live = status !== 'cancelled';
      await Booking.query(this.trx).insert({
        session_id: session.id,
        learner_id: learner.id,
        status,
        payment_amount_cents: session.price_cents ?? 0,
        currency: session.currency,
        learner_ready_at: status === 'attended' || session.status === 'in_progress' ? (times.readyAt ?? null) : null,
        joined_at: status === 'attended' || session.status === 'in_progress' ? (times.joinedAt ?? null) : null,
        cancelled_at: live ? null : (times.cancelledAt ?? addMinutes(session.start_time, -2 * DAY)),
        created_at: times.bookedAt ?? addMinutes(session.start_time, -7 * DAY),
      });
      this.created.bookings++;
      // Those who attended were in the room for the whole class.
      if (status === 'attended' && times.joinedAt && session.ended_at) {
        await this.trx('room_presence').insert({
          session_id: session.id,
          user_id: learner.id,
          connection_id: `seed-${session.id}-${learner.id}`,
          joined_at: times.joinedAt.toISOString(),
          left_at: session.ended_at.toISOString(),
        });
      }
    }
    const liveCount = planned.filter((p) => p.status !== 'cancelled').length;
    if (liveCount) {
      await Session.query(this.trx).findById(session.id).patch({ booked_count: liveCount });
      session.booked_count = liveCount;
    }
  }

  /** Kept until `flushNotifications`, which writes them in time order (lists are ordered by id). */
  readonly #notifications: Array<Partial<Notification>> = [];

  async notify(n: { to: User; type: NotificationType; message: string; at: Date; link: string; data?: NotificationData }): Promise<void> {
    // Older than a week: the user has seen it.
    const read = n.at.getTime() < this.ago(7 * DAY).getTime();
    this.#notifications.push({
      user_id: n.to.id,
      type: n.type,
      message: n.message,
      link: n.link,
      data: n.data ?? {},
      read_status: read,
      read_at: read ? addMinutes(n.at, 3 * HOUR) : null,
      timestamp: n.at,
    });
    this.created.notifications++;
  }

  /** Writes the notifications oldest first, so their ids (the listing order) follow their times. */
  async flushNotifications(): Promise<void> {
    const ordered = this.#notifications.splice(0).sort((a, b) => a.timestamp!.getTime() - b.timestamp!.getTime());
    for (const row of ordered) await Notification.query(this.trx).insert(row);
  }

  welcome(user: User, hint: string): Promise<void> {
    return this.notify({ to: user, type: 'broadcast', message: `Welcome to Mentor Dashboard! ${hint}`, at: user.created_at, link: links.sessions });
  }

  async feedback(session: Session, learner: User, rating: number, comment: string | null, at: Date): Promise<Feedback> {
    const row = await Feedback.query(this.trx).insertAndFetch({
      session_id: session.id,
      learner_id: learner.id,
      rating,
      comment,
      created_at: at,
    });
    this.created.feedback++;
    return row;
  }

  async request(
    attrs: Partial<MentorRequest> & { learner_id: number; mentor_id: number; status: MentorRequest['status']; created_at: Date },
  ): Promise<MentorRequest> {
    const row = await MentorRequest.query(this.trx).insertAndFetch({
      message: '',
      preferred_times: [],
      session_id: null,
      decline_reason: null,
      responded_at: null,
      ...attrs,
    });
    this.created.requests++;
    return row;
  }

  async payout(attrs: Partial<Payout> & { mentor_id: number; amount_cents: number; status: PayoutStatus; requested_at: Date }): Promise<Payout> {
    const row = await Payout.query(this.trx).insertAndFetch({ currency: 'USD', ...attrs });
    this.created.payouts++;
    return row;
  }

  async chat(session: Session, speakers: readonly User[], rng: Rng): Promise<void> {
    const count = rng.int(2, 4);
    for (let i = 0; i < count; i++) {
      await ChatMessage.query(this.trx).insert({
        session_id: session.id,
        sender_id: speakers[i % speakers.length]!.id,
        body: CHAT_LINES[i % CHAT_LINES.length]!,
        created_at: addMinutes(session.started_at ?? session.start_time, 2 + i * 3),
      });
      this.created.chat_messages++;
    }
  }
}

/** A demo account by username: the existing one, or undefined. Refuses to touch a real account. */
async function findDemoUser(trx: Knex.Transaction, username: string): Promise<User | undefined> {
  const user = await User.query(trx).whereRaw('lower(username) = ?', [username.toLowerCase()]).first();
  if (user && !user.email.toLowerCase().endsWith(`@${DEMO_EMAIL_DOMAIN}`)) {
    throw new Error(`cannot seed the demo: the username "${username}" belongs to an account that is not part of the demo`);
  }
  return user;
}

/** What a completed session's live bookings paid the mentor, and when it became earned. */
interface Earning {
  at: Date;
  cents: number;
}

/** Builds one mentor's year: history, the coming weeks, requests, then payouts from the earnings. */
class MentorStory {
  readonly earnings: Earning[] = [];
  readonly completedOneToOne: Array<{ session: Session; learner: User }> = [];
  readonly upcomingOneToOne: Array<{ session: Session; learner: User }> = [];

  constructor(
    readonly w: DemoWriter,
    readonly mentor: User,
    readonly profile: DemoMentor,
    readonly learners: readonly User[],
    readonly rng: Rng,
    readonly first: boolean,
  ) {}

  /** A start time `daysAhead` days from now (negative: past) at a working hour in the mentor's zone. */
  startAt(daysAhead: number): Date {
    const day = addMinutes(this.w.now, daysAhead * DAY);
    return atLocalTime(day, this.rng.int(9, 18), this.rng.pick([0, 30]), this.mentor.timezone);
  }

  /** Price per seat: a share of the hourly rate, whole dollars; some sessions are free. */
  price(duration: number, group: boolean): number | null {
    const rate = this.profile.hourly_rate_cents;
    if (rate === null || this.rng.chance(0.2)) return null;
    const full = Math.round((rate * duration) / 60 / 100) * 100;
    return group ? Math.max(500, Math.round((full * 0.4) / 100) * 100) : full;
  }

  shape(): { group: boolean; capacity: number; duration: number; title: string } {
    const group = this.rng.chance(0.35);
    return {
      group,
      capacity: group ? this.rng.int(3, 6) : 1,
      duration: group ? this.rng.pick([60, 90]) : this.rng.pick([30, 45, 60]),
      title: this.rng.pick(group ? this.profile.group : this.profile.oneToOne),
    };
  }

  async run(): Promise<void> {
    for (let monthsAgo = 12; monthsAgo >= 1; monthsAgo--) {
      const count = this.rng.int(1, 3);
      for (let i = 0; i < count; i++) {
        const start = this.startAt(-(monthsAgo * 30) + this.rng.int(0, 26));
        if (this.rng.chance(0.1)) await this.cancelledSession(start);
        else await this.completedSession(start);
      }
    }
    await this.upcoming();
    if (this.first) await this.liveSession();
    await this.requests();
    await this.payouts();
  }

  async completedSession(start: Date): Promise<void> {
    const { group, capacity, duration, title } = this.shape();
    const startedAt = addMinutes(start, this.rng.int(0, 3));
    const session = await this.w.session({
      mentor_id: this.mentor.id,
      title,
      description: `${title} with ${this.profile.first_name}.`,
      start_time: start,
      duration,
      status: 'completed',
      price_cents: this.price(duration, group),
      capacity,
      mentor_ready_at: addMinutes(start, -10),
      started_at: startedAt,
      ended_at: addMinutes(startedAt, duration),
    });
    const people = this.rng.sample(this.learners, group ? this.rng.int(2, capacity) : 1);
    const planned: PlannedBooking[] = people.map((learner, i) => ({
      learner,
      // The first seat is always taken up; others sometimes miss the class or cancel.
      status: i === 0 ? 'attended' : this.rng.chance(0.75) ? 'attended' : this.rng.chance(0.5) ? 'no_show' : 'cancelled',
    }));
    await this.w.bookings(session, planned, { readyAt: addMinutes(start, -5), joinedAt: startedAt });
    for (const p of planned) {
      if (p.status !== 'cancelled') this.earnings.push({ at: session.ended_at!, cents: session.price_cents ?? 0 });
      if (p.status === 'no_show') continue;
      if (p.status === 'cancelled') {
        await this.w.notify({
          to: this.mentor,
          type: 'booking_cancelled',
          message: `${fullName(p.learner)} cancelled their seat in “${title}”`,
          at: addMinutes(start, -2 * DAY),
          link: links.session(session.id),
          data: { session: session.id },
        });
        continue;
      }
      if (this.rng.chance(0.7)) await this.rate(session, p.learner);
    }
    if (!group) this.completedOneToOne.push({ session, learner: people[0]! });
    if (this.rng.chance(0.3)) await this.w.chat(session, [this.mentor, ...people], this.rng);
  }

  async rate(session: Session, learner: User): Promise<void> {
    const rating = this.rng.pick([5, 5, 5, 4, 4, 4, 3, 2]);
    const comment = this.rng.chance(0.8) ? this.rng.pick(FEEDBACK_COMMENTS[rating]!) : null;
    const at = addMinutes(session.ended_at!, this.rng.int(10, 2 * DAY));
    const feedback = await this.w.feedback(session, learner, rating, comment, at);
    await this.w.notify({
      to: this.mentor,
      type: 'feedback_received',
      message: `${fullName(learner)} rated “${session.title}” ${rating}/5`,
      at,
      link: links.session(session.id),
      data: { session: session.id, feedback: feedback.id },
    });
  }

  /** Cancelled a few days before its start (or recently, for one still ahead), seats and all. */
  async cancelledSession(start: Date): Promise<void> {
    const { group, capacity, duration, title } = this.shape();
    const beforeStart = addMinutes(start, -this.rng.int(1, 4) * DAY);
    const lately = this.w.ago(this.rng.int(2, 48) * HOUR);
    const cancelledAt = beforeStart < lately ? beforeStart : lately;
    const createdAt = addMinutes(cancelledAt, -this.rng.int(2, 7) * DAY);
    const session = await this.w.session({
      mentor_id: this.mentor.id,
      title,
      start_time: start,
      duration,
      status: 'cancelled',
      price_cents: this.price(duration, group),
      capacity,
      created_at: createdAt,
      cancelled_at: cancelledAt,
      cancel_reason: this.rng.pick(['I am unwell, sorry!', 'A work emergency came up.', 'Travel plans changed.']),
    });
    const people = this.rng.sample(this.learners, this.rng.int(0, Math.min(2, capacity)));
    await this.w.bookings(session, people.map((learner) => ({ learner, status: 'cancelled' as const })), {
      bookedAt: addMinutes(createdAt, DAY),
      cancelledAt,
    });
    for (const learner of people) {
      await this.w.notify({
        to: learner,
        type: 'session_cancelled',
        message: `“${title}” on ${dayLabel(start)} was cancelled by ${fullName(this.mentor)}`,
        at: cancelledAt,
        link: links.sessions,
        data: { session: session.id },
      });
    }
  }

  async upcoming(): Promise<void> {
    // One later today (so "I'm Ready" is near), then one or two a week for four weeks.
    const starts = [addMinutes(this.w.now, 3 * HOUR + this.rng.int(0, 3) * 30)];
    for (let week = 0; week < 4; week++) {
      for (let i = this.rng.int(1, 2); i > 0; i--) starts.push(this.startAt(1 + week * 7 + this.rng.int(0, 6)));
    }
    for (const start of starts) {
      const { group, capacity, duration, title } = this.shape();
      const session = await this.w.session({
        mentor_id: this.mentor.id,
        title,
        description: `${title} with ${this.profile.first_name}.`,
        start_time: start,
        duration,
        status: 'scheduled',
        price_cents: this.price(duration, group),
        capacity,
        created_at: this.w.ago(this.rng.int(1, 10) * DAY),
      });
      const seats = group ? this.rng.int(0, capacity - 1) : this.rng.chance(0.6) ? 1 : 0;
      const people = this.rng.sample(this.learners, seats);
      // Sessions were published at least a day ago; seats were taken within the day after.
      const bookedAt = addMinutes(session.created_at, this.rng.int(1, 20) * HOUR);
      await this.w.bookings(session, people.map((learner) => ({ learner, status: 'booked' as const })), { bookedAt });
      for (const learner of people) {
        await this.w.notify({
          to: this.mentor,
          type: 'booking_created',
          message: `${fullName(learner)} booked “${title}” on ${dayLabel(start)}`,
          at: bookedAt,
          link: links.session(session.id),
          data: { session: session.id },
        });
      }
      if (!group && people.length) this.upcomingOneToOne.push({ session, learner: people[0]! });
    }
    const draftShape = this.shape();
    await this.w.session({
      mentor_id: this.mentor.id,
      title: `${draftShape.title} (draft)`,
      description: 'Not published yet.',
      start_time: this.startAt(35),
      duration: draftShape.duration,
      status: 'draft',
      price_cents: this.price(draftShape.duration, draftShape.group),
      capacity: draftShape.capacity,
      created_at: this.w.ago(DAY),
    });
    await this.cancelledSession(this.startAt(10 + this.rng.int(0, 4)));
  }

  /** A class running right now: the mentor and two learners are in the room. */
  async liveSession(): Promise<void> {
    const start = addMinutes(this.w.now, -20);
    const session = await this.w.session({
      mentor_id: this.mentor.id,
      title: this.profile.group[0]!,
      description: 'Live now.',
      start_time: start,
      duration: 60,
      status: 'in_progress',
      price_cents: this.price(60, true),
      capacity: 4,
      mentor_ready_at: addMinutes(start, -10),
      started_at: addMinutes(start, 1),
    });
    const people = this.rng.sample(this.learners, 2);
    await this.w.bookings(session, people.map((learner) => ({ learner, status: 'booked' as const })), {
      readyAt: addMinutes(start, -5),
      joinedAt: addMinutes(start, 1),
    });
    for (const learner of people) {
      await this.w.notify({
        to: learner,
        type: 'mentor_ready',
        message: `${fullName(this.mentor)} is ready for “${session.title}”`,
        at: addMinutes(start, -10),
        link: links.room(session.id),
        data: { session: session.id },
      });
    }
    await this.w.chat(session, [this.mentor, ...people], this.rng);
  }

  requestCreated(learner: User, request: MentorRequest): Promise<void> {
    return this.w.notify({
      to: this.mentor,
      type: 'request_created',
      message: `New request from ${fullName(learner)}: “${request.topic}”`,
      at: request.created_at,
      link: links.requests,
      data: { request: request.id },
    });
  }

  /** One request in every status; accepted ones point at the one-to-one sessions they created. */
  async requests(): Promise<void> {
    const accepted = [this.completedOneToOne.at(-1), this.upcomingOneToOne[0]].filter((x) => x !== undefined);
    for (const { session, learner } of accepted) {
      const request = await this.w.request({
        learner_id: learner.id,
        mentor_id: this.mentor.id,
        topic: session.title,
        message: 'Would love your help with this.',
        preferred_times: [session.start_time.toISOString()],
        status: 'accepted',
        session_id: session.id,
        responded_at: session.created_at,
        created_at: addMinutes(session.created_at, -DAY),
      });
      await this.requestCreated(learner, request);
      await this.w.notify({
        to: learner,
        type: 'request_accepted',
        message: `${fullName(this.mentor)} accepted your request: “${request.topic}” on ${dayLabel(session.start_time)}`,
        at: session.created_at,
        link: links.session(session.id),
        data: { request: request.id, session: session.id },
      });
    }
    const [declinedBy, cancelledBy, ...pendingFrom] = this.rng.sample(this.learners, 4);
    const declinedAt = this.w.ago(this.rng.int(14, 40) * DAY);
    const declined = await this.w.request({
      learner_id: declinedBy!.id,
      mentor_id: this.mentor.id,
      topic: this.rng.pick(REQUEST_TOPICS),
      status: 'declined',
      decline_reason: 'I am fully booked that week — please try another week.',
      preferred_times: [addMinutes(declinedAt, 3 * DAY).toISOString()],
      responded_at: declinedAt,
      created_at: addMinutes(declinedAt, -DAY),
    });
    await this.w.notify({
      to: declinedBy!,
      type: 'request_declined',
      message: `${fullName(this.mentor)} declined your request: “${declined.topic}”`,
      at: declinedAt,
      link: links.requests,
      data: { request: declined.id },
    });
    const cancelledAt = this.w.ago(this.rng.int(5, 12) * DAY);
    const cancelled = await this.w.request({
      learner_id: cancelledBy!.id,
      mentor_id: this.mentor.id,
      topic: this.rng.pick(REQUEST_TOPICS),
      status: 'cancelled',
      preferred_times: [addMinutes(cancelledAt, 4 * DAY).toISOString()],
      created_at: addMinutes(cancelledAt, -2 * DAY),
    });
    await this.w.notify({
      to: this.mentor,
      type: 'request_cancelled',
      message: `${fullName(cancelledBy!)} withdrew their request: “${cancelled.topic}”`,
      at: cancelledAt,
      link: links.requests,
      data: { request: cancelled.id },
    });
    for (const learner of pendingFrom) {
      const pending = await this.w.request({
        learner_id: learner.id,
        mentor_id: this.mentor.id,
        topic: this.rng.pick(REQUEST_TOPICS),
        message: 'I have a few specific questions — any of these times works for me.',
        preferred_times: [this.startAt(3), this.startAt(5), this.startAt(8)].map((d) => d.toISOString()),
        status: 'pending',
        created_at: this.w.ago(this.rng.int(1, 36) * HOUR),
      });
      await this.requestCreated(learner, pending);
    }
  }

  /**
   * Payouts requested over the year, each a share of what was available at that moment (earned so
   * far minus payouts not rejected), so none ever exceeds the balance: older ones paid, one rejected,
   * a recent one approved, the latest pending.
   */
  async payouts(): Promise<void> {
    const plan: Array<{ daysAgo: number; status: PayoutStatus; share: number }> = [
      { daysAgo: 300, status: 'paid', share: 0.8 },
      { daysAgo: 210, status: 'paid', share: 0.8 },
      { daysAgo: 120, status: 'paid', share: 0.7 },
      { daysAgo: 90, status: 'rejected', share: 0.5 },
      { daysAgo: 60, status: 'approved', share: 0.6 },
      { daysAgo: 7, status: 'pending', share: 0.5 },
    ];
    let committed = 0;
    for (const [i, step] of plan.entries()) {
      const at = this.w.ago(step.daysAgo * DAY);
      const earned = this.earnings.filter((e) => e.at.getTime() <= at.getTime()).reduce((sum, e) => sum + e.cents, 0);
      const amount = Math.floor(((earned - committed) * step.share) / 100) * 100;
      if (amount <= 0) continue;
      if (step.status !== 'rejected') committed += amount;
      const processedAt = step.status === 'pending' ? null : addMinutes(at, 2 * DAY);
      const payout = await this.w.payout({
        mentor_id: this.mentor.id,
        amount_cents: amount,
        status: step.status,
        note: step.status === 'rejected' ? 'Please send to my new account.' : null,
        admin_note: step.status === 'rejected' ? 'The bank details did not match; update them and request again.' : null,
        idempotency_key: `demo-payout-${i + 1}`,
        requested_at: at,
        processed_at: processedAt,
      });
      if (processedAt) {
        const verb = { paid: 'was paid', approved: 'was approved', rejected: 'was rejected' }[step.status as Exclude<PayoutStatus, 'pending'>];
        await this.w.notify({
          to: this.mentor,
          type: `payout_${step.status}` as NotificationType,
          message: `Your payout of ${money(amount)} ${verb}`,
          at: processedAt,
          link: links.earnings,
          data: { payout: payout.id },
        });
      }
    }
  }
}

/** Seeds the demo (see the module comment); safe to run any number of times. */
export async function seedDemo(db: Knex, options: DemoSeedOptions = {}): Promise<DemoSeedResult> {
  const now = options.now ?? new Date();
  const step = options.onStep ?? (() => {});
  const created = await db.transaction(async (trx) => {
    const w = new DemoWriter(trx, now);
    step('learners');
    const learners: User[] = [];
    for (const person of DEMO_LEARNERS) {
      const existing = await findDemoUser(trx, person.username);
      const learner = existing ?? (await w.user(person, 'learner'));
      if (!existing) await w.welcome(learner, 'Browse mentors and book your first session.');
      learners.push(learner);
    }
    for (const [index, profile] of DEMO_MENTORS.entries()) {
      step(`mentor ${profile.first_name} ${profile.last_name}`);
      if (await findDemoUser(trx, profile.username)) continue;
      const { oneToOne: _o, group: _g, ...person } = profile;
      const mentor = await w.user(person, 'mentor');
      await w.welcome(mentor, 'Publish your first session from the Sessions tab.');
      await new MentorStory(w, mentor, profile, learners, generator(index + 1), index === 0).run();
    }
    await w.flushNotifications();
    return w.created;
  });
  const credentials = [
    ...DEMO_MENTORS.map((m) => ({ username: m.username, role: 'mentor' as const, password: DEMO_PASSWORD })),
    ...DEMO_LEARNERS.map((l) => ({ username: l.username, role: 'learner' as const, password: DEMO_PASSWORD })),
  ];
  return { created, credentials };
}
