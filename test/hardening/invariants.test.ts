/**
 * The invariant checker the other hardening suites rely on: silent on consistent data, and it
 * notices each rule broken behind the services' back (rules the schema's constraints already
 * refuse, such as booked_count above capacity, cannot be broken this way). Each rule is broken in
 * a transaction that is rolled back afterwards.
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { Booking, Feedback, Notification, Payout, Session, ChatMessage } from '../../src/models/index.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { findViolations } from './invariants.ts';
import { buildPeople, buildRecords, type People, type Records } from './world.ts';

describe('hardening: the invariant checker', () => {
  let server: TestServer;
  let people: People;
  let records: Records;

  before(async () => {
    server = await getTestServer();
    people = await buildPeople(server.db);
    records = await buildRecords(server.db, people);
  });
  after(() => server?.close());

  it('finds nothing wrong with the fixtures', async () => {
    expect(await findViolations(server.db)).to.deep.equal([]);
  });

  const breaks: Array<[string, RegExp, (db: Knex.Transaction, p: People, r: Records) => PromiseLike<unknown>]> = [
    ['a booked_count that disagrees with the live bookings', /booked_count 0 but 1 live bookings/, (db, _p, r) => Session.query(db).findById(r.open.id).patch({ booked_count: 0 })],
    ['payouts above the earnings', /payouts of \d+ cents above earnings/, (db, p) => Payout.query(db).insert({ mentor_id: p.owner.id, amount_cents: 1_000_000, currency: 'USD', status: 'pending' })],
    ['feedback on a session that is not completed', /is not completed/, (db, p, r) => Feedback.query(db).insert({ session_id: r.open.id, learner_id: p.bookedLearner.id, rating: 5 })],
    ['feedback from a learner without a seat', /did not attend/, (db, p, r) => Feedback.query(db).insert({ session_id: r.done.id, learner_id: p.learner.id, rating: 4 })],
    ['a booking left booked on a completed session', /still booked on a completed session/, (db, p, r) => Booking.query(db).insert({ session_id: r.done.id, learner_id: p.learner.id, status: 'booked', payment_amount_cents: 0 })],
    ['a notification read without read_at', /read_status .* with read_at null/, (db, _p, r) => Notification.query(db).findById(r.notification.id).patch({ read_status: true })],
    ['chat from someone outside the session', /is not in session/, (db, p, r) => ChatMessage.query(db).insert({ session_id: r.open.id, sender_id: p.otherMentor.id, body: 'hi' })],
    ['a payout decided without a time', /status approved with processed_at null/, (db, _p, r) => Payout.query(db).findById(r.payout.id).patch({ status: 'approved' })],
  ];
  for (const [what, message, corrupt] of breaks) {
    it(`notices ${what}`, async () => {
      const trx = await server.db.transaction();
      try {
        await corrupt(trx, people, records);
        const problems = await findViolations(trx);
        expect(problems.some((p) => message.test(p)), problems.join('\n')).to.equal(true);
      } finally {
        await trx.rollback();
      }
    });
  }
});
