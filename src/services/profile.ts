/**
 * The caller's own profile (read, replace, update, picture) and the public mentor directory.
 *
 * A picture is checked and re-encoded before the transaction opens (image work must not hold a
 * row lock) and written under a fresh name; the row then points at it. If the transaction fails
 * the new file is removed, and once it commits the replaced file is removed, so MEDIA_ROOT holds
 * exactly the pictures some profile uses.
 */
import type { Knex } from 'knex';
import { ApiError, invalidField } from '../errors.ts';
import { whereContainsInsensitive } from '../db/dialect.ts';
import { inTransaction, type EventBus, type Tx } from '../events.ts';
import { isValidTimezone } from '../lib/time.ts';
import { Booking, Session, User } from '../models/index.ts';
import { fieldTaken } from './auth.ts';
import { removeAvatar, storeAvatar, type ImageWork } from './media.ts';

/**
 * The writable profile fields as the workflow takes them, decoded at the route (src/api/profile/):
 * the hourly rate is integer cents (null clears it), expertise a list of tags.
 */
export interface ProfileChanges {
  first_name?: string;
  last_name?: string;
  bio?: string;
  expertise?: string[];
  timezone?: string;
  hourlyRateCents?: number | null;
  currency?: string;
  email?: string;
}

/** The row changes a set of fields asks for; field-level checks that need no database. */
function toRowChanges(fields: ProfileChanges): Partial<User> {
  const { hourlyRateCents, expertise, ...plain } = fields;
  if (plain.timezone !== undefined && !isValidTimezone(plain.timezone)) {
    throw invalidField('timezone', 'must be an IANA timezone such as Europe/Berlin');
  }
  const changes: Partial<User> = { ...plain };
  if (expertise !== undefined) changes.expertise = expertise;
  if (hourlyRateCents !== undefined) changes.hourly_rate_cents = hourlyRateCents;
  return changes;
}

async function assertEmailFree(trx: Knex.Transaction, userId: number, email: string): Promise<void> {
  const other = await trx('users').whereRaw('lower(email) = lower(?)', [email]).whereNot('id', userId).first('id');
  if (other) throw fieldTaken('email');
}

/**
 * Session prices, bookings and payouts are amounts in the mentor's currency at the time. Relabelling
 * them by switching the profile currency would silently turn "49.00 USD" earned into "49.00 EUR",
 * so the switch is only allowed before any money has been priced, paid or paid out. Called with
 * the user's row locked, the lock session pricing also takes (`lockMentor`), so the counts are the
 * committed truth and no priced session can appear until this transaction ends. The database
 * refuses the change too (migrations/20261202010000_currency_guards.ts).
 */
async function assertCurrencyChangeable(trx: Knex.Transaction, user: User, currency: string): Promise<void> {
  // One after another: the queries share the transaction's connection.
  const priced = await trx('sessions').where('mentor_id', user.id).where('price_cents', '>', 0).count({ n: '*' }).first();
  const paid = await trx('bookings as b')
    .join('sessions as s', 's.id', 'b.session_id')
    .where('s.mentor_id', user.id)
    .where('b.payment_amount_cents', '>', 0)
    .count({ n: '*' })
    .first();
  const payouts = await trx('payouts').where('mentor_id', user.id).count({ n: '*' }).first();
  const counts: Array<[number, string]> = [
    [Number(priced?.n ?? 0), 'priced session'],
    [Number(paid?.n ?? 0), 'paid booking'],
    [Number(payouts?.n ?? 0), 'payout'],
  ];
  const held = counts
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${n} ${what}${n === 1 ? '' : 's'}`)
    .join(' and ');
  if (!held) return;
  const detail =
    `Your currency cannot change from ${user.currency} to ${currency}: you have ${held} recorded in ` +
    `${user.currency}, and their amounts (prices, learners' payments, earnings, payouts) would be ` +
    `reinterpreted in ${currency} without any conversion. Keep ${user.currency}, or contact an ` +
    `administrator to move your account to another currency.`;
  throw new ApiError(409, 'currency_locked', 'Conflict', detail, {
    errors: [{ in: 'body', path: 'currency', message: `cannot change while priced sessions, paid bookings or payouts exist in ${user.currency}` }],
  });
}

/**
 * After a permitted currency change nothing of the mentor's holds money, so their free sessions and
 * zero-amount bookings simply take the new currency: a session priced later is priced in it, and
 * every row keeps the mentor's unit.
 */
async function relabelUnpriced(trx: Knex.Transaction, mentorId: number, currency: string): Promise<void> {
  await Session.query(trx).where('mentor_id', mentorId).whereNot('currency', currency).patch({ currency });
  await Booking.query(trx)
    .whereIn('session_id', Session.query(trx).where('mentor_id', mentorId).select('id'))
    .whereNot('currency', currency)
    .patch({ currency });
}

/**
 * Applies profile changes to the actor's row (locked, so concurrent picture uploads each see the
 * avatar they replace). Returns the updated user and the avatar file it no longer uses.
 */
export async function applyProfileChanges(
  { actor, trx }: Tx & { actor: User },
  changes: Partial<User>,
  avatar?: string,
): Promise<{ user: User; replacedAvatar: string | null }> {
  const current = await User.query(trx).findById(actor.id).forUpdate();
  if (!current) throw new Error(`user ${actor.id} vanished while updating the profile`);
  if (changes.email !== undefined && changes.email.toLowerCase() !== current.email.toLowerCase()) {
    await assertEmailFree(trx, current.id, changes.email);
  }
  const newCurrency = changes.currency !== undefined && changes.currency !== current.currency ? changes.currency : undefined;
  if (newCurrency) await assertCurrencyChangeable(trx, current, newCurrency);
  const patch: Partial<User> = avatar ? { ...changes, avatar } : changes;
  try {
    await User.query(trx).findById(current.id).patch(patch);
  } catch (err) {
    // Another account took the email between the check and the write: the unique index decided.
    if ((err as Error).name === 'UniqueViolationError') throw fieldTaken('email');
    throw err;
  }
  if (newCurrency) await relabelUnpriced(trx, current.id, newCurrency);
  const user = (await User.query(trx).findById(current.id))!;
  return { user, replacedAvatar: avatar && current.avatar !== avatar ? current.avatar : null };
}

export interface ProfileDeps {
  db: Knex;
  events: EventBus;
  mediaRoot: string;
  /** The image job limiter and pixel limit for pictures (src/lib/imageJobs.ts). */
  images?: Omit<ImageWork, 'owner'>;
}

/** Replaces or updates the actor's profile, with an optional uploaded picture (a temp file path). */
export async function saveProfile(deps: ProfileDeps, actor: User, fields: ProfileChanges, pictureFile?: string): Promise<User> {
  const changes = toRowChanges(fields);
  const avatar = pictureFile ? await storeAvatar(deps.mediaRoot, pictureFile, deps.images && { ...deps.images, owner: actor.id }) : undefined;
  let result: Awaited<ReturnType<typeof applyProfileChanges>>;
  try {
    result = await inTransaction(deps.db, deps.events, (tx) => applyProfileChanges({ actor, ...tx }, changes, avatar));
  } catch (err) {
    if (avatar) await removeAvatar(deps.mediaRoot, avatar);
    throw err;
  }
  await removeAvatar(deps.mediaRoot, result.replacedAvatar);
  return result.user;
}

// ---------------------------------------------------------------------------- mentor directory

export interface MentorFilter {
  search?: string;
  expertise?: string;
}

/**
 * Active mentors matching the filter, ordered by username. Matching is case-insensitive on both
 * engines (src/db/dialect.ts).
 *
 * `expertise` is a JSON list stored as text, so a tag is matched as its JSON string literal
 * (`"TypeScript"`, quotes included) inside that text: an exact tag match, with no JSON functions
 * that differ between SQLite and PostgreSQL.
 */
export function mentorDirectory(db: Knex, filter: MentorFilter) {
  const query = User.query(db).where({ role: 'mentor', is_active: true });
  if (filter.search) whereContainsInsensitive(query, ['username', 'first_name', 'last_name', 'bio'], filter.search);
  if (filter.expertise) whereContainsInsensitive(query, ['expertise'], JSON.stringify(filter.expertise));
  return query.orderByRaw('lower(username)').orderBy('id');
}

/** An active mentor by id, or undefined (learners, admins without the mentor role, deactivated accounts). */
export async function findActiveMentor(db: Knex | Knex.Transaction, id: number): Promise<User | undefined> {
  return User.query(db).findById(id).where({ role: 'mentor', is_active: true });
}
