/**
 * Money never changes unit: a mentor's currency is fixed once anything is priced, every session,
 * booking and payout carries the currency it was priced in, and the database refuses rows that
 * would break that even when a service is bypassed.
 */
import { expect } from 'chai';
import { wrapError } from 'db-errors';
import { CheckViolationError } from 'objection';
import type { ApiResponse } from '../helpers/client.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildBooking, buildLearner, buildMentor, buildSession, tokenFor } from '../helpers/factories.ts';
import { addMinutes } from '../../src/lib/time.ts';
import { Booking, Payout, Session, User } from '../../src/models/index.ts';

const DAY = 24 * 60;
const fromNow = (minutes: number) => addMinutes(new Date(), minutes);

describe('currency integrity', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer();
  });
  after(() => server.close());

  const auth = (user: User) => ({ token: tokenFor(server, user) });
  const priced = (i: number) => ({
    title: `Masterclass ${i}`,
    start_time: fromNow(2 * DAY + i).toISOString(),
    duration: 60,
    price: '1000000.00',
    status: 'scheduled',
  });

  describe('a currency change racing priced session creation', () => {
    it('never leaves a session in another currency than the profile (20 tries)', async function () {
      this.timeout(120_000);
      const outcomes = { changed: 0, refused: 0 };
      for (let attempt = 0; attempt < 20; attempt++) {
        const mentor = await buildMentor(server.db, { currency: 'IDR' });
        // The PATCH is sent first, second or last among the six requests, all at once.
        const patchAt = [0, 1, 5][attempt % 3]!;
        const sends: Array<() => Promise<ApiResponse>> = [0, 1, 2, 3, 4].map(
          (i) => () => server.api.post('/api/sessions/', priced(i), auth(mentor)),
        );
        sends.splice(patchAt, 0, () => server.api.patch('/api/profile/', { currency: 'KWD' }, auth(mentor)));
        const answers = await Promise.all(sends.map((send) => send()));
        const [patched] = answers.splice(patchAt, 1) as [ApiResponse];
        const created = answers;
        for (const res of created) expect(res.status, JSON.stringify(res.body)).to.equal(201);
        expect([200, 409], JSON.stringify(patched.body)).to.include(patched.status);
        if (patched.status === 409) {
          expect(patched.body.code).to.equal('currency_locked');
          outcomes.refused++;
        } else {
          outcomes.changed++;
        }

        const profile = (await User.query(server.db).findById(mentor.id))!;
        expect(profile.currency).to.equal(patched.status === 200 ? 'KWD' : 'IDR');
        const sessions = await Session.query(server.db).where('mentor_id', mentor.id);
        expect(sessions).to.have.length(5);
        for (const s of sessions) expect(s.currency, `attempt ${attempt}, session ${s.id}`).to.equal(profile.currency);
        for (const res of created) expect(res.body.currency).to.equal(profile.currency);
      }
      expect(outcomes.changed + outcomes.refused).to.equal(20);
    });
  });

  describe('pricing an existing session', () => {
    it('takes the current profile currency, not the one the free draft was created in', async () => {
      const mentor = await buildMentor(server.db, { currency: 'IDR' });
      const created = await server.api.post('/api/sessions/', { title: 'Free draft', start_time: fromNow(2 * DAY).toISOString(), duration: 30 }, auth(mentor));
      expect(created.body).to.include({ price: null, currency: 'IDR' });
      const changed = await server.api.patch('/api/profile/', { currency: 'KWD' }, auth(mentor));
      expect(changed.status).to.equal(200);
      // The unpriced draft follows the profile, and pricing it later prices it in KWD.
      expect((await Session.query(server.db).findById(created.body.id))!.currency).to.equal('KWD');
      const priced = await server.api.patch(`/api/sessions/${created.body.id}/`, { price: '12.50' }, auth(mentor));
      expect(priced.status).to.equal(200);
      expect(priced.body).to.include({ price: '12.50', currency: 'KWD' });
    });

    it('counts a paid booking on a session no longer priced as priced money (409 currency_locked)', async () => {
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id, price_cents: 4900 });
      await buildBooking(server.db, { session, learner_id: learner.id, status: 'cancelled', cancelled_at: new Date() });
      await Session.query(server.db).findById(session.id).patch({ price_cents: null, booked_count: 0 });
      const res = await server.api.patch('/api/profile/', { currency: 'EUR' }, auth(mentor));
      expect(res.status).to.equal(409);
      expect(res.body.code).to.equal('currency_locked');
      expect(res.body.detail).to.include('1 paid booking');
    });
  });

  describe('database guards (a service bypassed)', () => {
    /** The write fails as a CHECK violation naming a currency guard (answered 409 by the API). */
    async function refused(write: () => PromiseLike<unknown>): Promise<void> {
      try {
        await write();
      } catch (err) {
        expect(wrapError(err as Error), String(err)).to.be.instanceOf(CheckViolationError);
        expect(String(err)).to.match(/currency/);
        return;
      }
      throw new Error('the database accepted the write');
    }

    it('refuses a priced session in another currency than its mentor', async () => {
      const mentor = await buildMentor(server.db, { currency: 'IDR' });
      await refused(() => buildSession(server.db, { mentor_id: mentor.id, price_cents: 100, currency: 'KWD' }));
      const free = await buildSession(server.db, { mentor_id: mentor.id, price_cents: null, currency: 'KWD' });
      await refused(() => Session.query(server.db).findById(free.id).patch({ price_cents: 100 }));
      const ok = await buildSession(server.db, { mentor_id: mentor.id, price_cents: 100, currency: 'IDR' });
      await refused(() => Session.query(server.db).findById(ok.id).patch({ currency: 'KWD' }));
    });

    it('refuses a booking in another currency than its session', async () => {
      const mentor = await buildMentor(server.db, { currency: 'EUR' });
      const learner = await buildLearner(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id, price_cents: 2500, currency: 'EUR' });
      await refused(() =>
        Booking.query(server.db).insert({ session_id: session.id, learner_id: learner.id, status: 'booked', payment_amount_cents: 2500, currency: 'USD' }),
      );
      const booking = await buildBooking(server.db, { session, learner_id: learner.id });
      await refused(() => Booking.query(server.db).findById(booking.id).patch({ currency: 'USD' }));
    });

    it('refuses a payout in another currency than its mentor, and relabelling one', async () => {
      const mentor = await buildMentor(server.db, { currency: 'IDR' });
      const insert = (currency: string) =>
        Payout.query(server.db).insertAndFetch({ mentor_id: mentor.id, amount_cents: 100, currency, status: 'pending' });
      await refused(() => insert('KWD'));
      const payout = await insert('IDR');
      await refused(() => Payout.query(server.db).findById(payout.id).patch({ currency: 'KWD' }));
    });

    it("refuses changing a mentor's currency once money is recorded in it", async () => {
      const mentor = await buildMentor(server.db, { currency: 'IDR' });
      await User.query(server.db).findById(mentor.id).patch({ currency: 'KWD' });
      await buildSession(server.db, { mentor_id: mentor.id, price_cents: 100, currency: 'KWD' });
      await refused(() => User.query(server.db).findById(mentor.id).patch({ currency: 'IDR' }));
      expect((await User.query(server.db).findById(mentor.id))!.currency).to.equal('KWD');
    });
  });

  describe('balances', () => {
    /** Writes rows the guards would refuse, as a database from before them may hold. */
    async function withoutGuards(write: () => Promise<unknown>): Promise<void> {
      const db = server.db;
      if (db.client.config.client === 'sqlite3') {
        const triggers: Array<{ name: string; sql: string }> = await db('sqlite_master').where({ type: 'trigger' }).where('name', 'like', '%currency%').select('name', 'sql');
        for (const t of triggers) await db.raw(`DROP TRIGGER ${t.name}`);
        try {
          await write();
        } finally {
          for (const t of triggers) await db.raw(t.sql);
        }
        return;
      }
      const tables = ['sessions', 'bookings', 'payouts', 'users'];
      for (const t of tables) await db.raw(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
      try {
        await write();
      } finally {
        for (const t of tables) await db.raw(`ALTER TABLE ${t} ENABLE TRIGGER USER`);
      }
    }

    it('count and pay out only amounts in the profile currency', async () => {
      const mentor = await buildMentor(server.db, { currency: 'EUR' });
      const learner = await buildLearner(server.db);
      const done = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: fromNow(-DAY), price_cents: 3000, currency: 'EUR' });
      await buildBooking(server.db, { session: done, learner_id: learner.id, status: 'attended' });
      await withoutGuards(async () => {
        const legacy = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: fromNow(-DAY), price_cents: 100_000_000, currency: 'IDR' });
        await buildBooking(server.db, { session: legacy, learner_id: learner.id, status: 'attended' });
        await Payout.query(server.db).insert({ mentor_id: mentor.id, amount_cents: 500, currency: 'IDR', status: 'pending' });
      });

      const res = await server.api.get('/api/earnings/', auth(mentor));
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ currency: 'EUR', total_earned: '30.00', available: '30.00', pending_payouts: '0.00' });
      const tooMuch = await server.api.post('/api/payouts/', { amount: '30.01' }, auth(mentor));
      expect(tooMuch.status).to.equal(409);
      expect(tooMuch.body.code).to.equal('insufficient_balance');
      const all = await server.api.post('/api/payouts/', { amount: '30.00' }, auth(mentor));
      expect(all.status).to.equal(201);
      expect(all.body).to.include({ amount: '30.00', currency: 'EUR' });
    });
  });
});
