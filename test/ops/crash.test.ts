/**
 * Crash safety: a write load (bookings, cancellations, payouts — each writing notifications in its
 * transaction) runs against a real server process, which is killed with SIGKILL mid-load. After a
 * restart on the same database, every write that was answered 2xx is there, and no invariant is
 * broken: no overbooking, booked_count equals the live bookings, no payout above the balance, no
 * notification without its event and no event without its notification.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { loadConfig } from '../../src/config.ts';
import { TokenService } from '../../src/auth/tokens.ts';
import { createKnex } from '../../src/db/knex.ts';
import { addMinutes } from '../../src/lib/time.ts';
import type { User } from '../../src/models/index.ts';
import { buildAdmin, buildBooking, buildLearner, buildMentor, buildSession } from '../helpers/factories.ts';
import { freshDatabase } from '../helpers/server.ts';
import { startServerProcess, type ServerProcess } from '../helpers/processes.ts';

const JWT_SECRET = crypto.randomBytes(32).toString('hex');

describe('crash safety (SIGKILL under write load)', function () {
  this.timeout(120000);
  let dataDir: string;
  let database: { url: string; drop: () => Promise<void> };
  let db: Knex;
  let proc: ServerProcess;
  const tokens = new TokenService(loadConfig({ NODE_ENV: 'test', JWT_SECRET, DATA_DIR: os.tmpdir() }).jwt);
  const env = () => ({ DATA_DIR: dataDir, DATABASE_URL: database.url, JWT_SECRET });

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-crash-'));
    database = await freshDatabase(dataDir);
    proc = await startServerProcess(env()); // migrates the database
    db = createKnex(database.url);
  });
  after(async () => {
    proc?.child.kill('SIGKILL');
    await db?.destroy();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write and every invariant', async () => {
    // Data: mentors with earnings to draw on, learners, and open sessions with a few seats.
    await buildAdmin(db); // receives payout_requested notifications
    const mentors: User[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await buildMentor(db);
      mentors.push(m);
      const done = await buildSession(db, { mentor_id: m.id, status: 'completed', price_cents: 5000, capacity: 2, start_time: addMinutes(new Date(), -3 * 24 * 60) });
      for (let j = 0; j < 2; j++) await buildBooking(db, { session: done, learner_id: (await buildLearner(db)).id, status: 'attended' });
    }
    const learners = await Promise.all(Array.from({ length: 12 }, () => buildLearner(db)));
    const sessions = await Promise.all(
      Array.from({ length: 6 }, (_, i) => buildSession(db, { mentor_id: mentors[i % 3]!.id, capacity: 3, price_cents: 1000 })),
    );
    const bearer = (u: User) => ({ Authorization: `Bearer ${tokens.signAccess(u)}`, 'Content-Type': 'application/json' });
    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;

    const acked = { bookings: new Map<number, 'booked' | 'cancelled'>(), payouts: new Set<number>() };
    let ackCount = 0;
    let stop = false;
    let killed!: () => void;
    const killedPromise = new Promise<void>((resolve) => (killed = resolve));
    const ack = () => {
      if (++ackCount === 60) {
        proc.child.kill('SIGKILL'); // mid-load: the workers still have requests in flight
        stop = true;
        killed();
      }
    };

    async function bookingWorker() {
      while (!stop) {
        const learner = pick(learners);
        try {
          const res = await fetch(`${proc.url}/api/sessions/${pick(sessions).id}/book/`, { method: 'POST', headers: bearer(learner) });
          if (res.status === 201) {
            const { id } = (await res.json()) as { id: number };
            acked.bookings.set(id, 'booked');
            ack();
            if (Math.random() < 0.3 && !stop) {
              const c = await fetch(`${proc.url}/api/bookings/${id}/cancel/`, { method: 'POST', headers: bearer(learner) });
              if (c.status === 200) {
                acked.bookings.set(id, 'cancelled');
                ack();
              }
            }
          } else await res.arrayBuffer();
        } catch {
          return; // the server is gone: this request was never acknowledged
        }
      }
    }
    async function payoutWorker() {
      while (!stop) {
        try {
          const res = await fetch(`${proc.url}/api/payouts/`, { method: 'POST', headers: bearer(pick(mentors)), body: JSON.stringify({ amount: '7.00' }) });
          if (res.status === 201) {
            acked.payouts.add(((await res.json()) as { id: number }).id);
            ack();
          } else await res.arrayBuffer();
        } catch {
          return;
        }
      }
    }
    const workers = [...Array.from({ length: 6 }, bookingWorker), ...Array.from({ length: 3 }, payoutWorker)];
    await killedPromise;
    await Promise.all(workers);
    expect(await proc.exited).to.equal(null); // killed by the signal, no exit code

    // Restart on the same database.
    proc = await startServerProcess(env());
    expect((await fetch(`${proc.url}/readyz`)).status).to.equal(200);

    // 1. Every acknowledged write is present, in the acknowledged state.
    const bookings = await db('bookings').select('id', 'session_id', 'learner_id', 'status');
    const byId = new Map(bookings.map((b: { id: number; status: string }) => [b.id, b]));
    for (const [id, status] of acked.bookings) {
      expect(byId.get(id), `acknowledged booking ${id}`).to.not.equal(undefined);
      if (status === 'cancelled') expect(byId.get(id)!.status).to.equal('cancelled');
    }
    const payoutIds = new Set((await db('payouts').select('id')).map((p: { id: number }) => p.id));
    for (const id of acked.payouts) expect(payoutIds.has(id), `acknowledged payout ${id}`).to.equal(true);

    // 2. No overbooking; booked_count equals the live bookings.
    for (const s of await db('sessions').select('id', 'capacity', 'booked_count')) {
      const live = bookings.filter((b: { session_id: number; status: string }) => b.session_id === s.id && b.status !== 'cancelled').length;
      expect(s.booked_count, `session ${s.id} booked_count`).to.equal(live);
      expect(live).to.be.at.most(s.capacity);
    }

    // 3. No payout above the balance.
    for (const m of mentors) {
      const earned = await db('bookings as b')
        .join('sessions as s', 's.id', 'b.session_id')
        .where({ 's.mentor_id': m.id, 's.status': 'completed' })
        .whereNot('b.status', 'cancelled')
        .sum({ c: 'b.payment_amount_cents' })
        .first();
      const drawn = await db('payouts').where({ mentor_id: m.id }).whereNot('status', 'rejected').sum({ c: 'amount_cents' }).first();
      expect(Number(drawn?.c ?? 0)).to.be.at.most(Number(earned?.c ?? 0));
    }

    // 4. Notifications and their events: one each way.
    const notes = await db('notifications').select('type', 'data');
    const refs = (type: string, key: string) =>
      notes.filter((n: { type: string }) => n.type === type).map((n: { data: string | object }) => (typeof n.data === 'string' ? JSON.parse(n.data) : n.data)[key] as number);
    // (The attended bookings were seeded directly, without the API, so they have no notification.)
    const madeThroughApi = bookings.filter((b: { status: string }) => b.status !== 'attended').map((b: { id: number }) => b.id);
    expect(new Set(refs('booking_created', 'booking'))).to.deep.equal(new Set(madeThroughApi));
    const cancelledIds = bookings.filter((b: { status: string }) => b.status === 'cancelled').map((b: { id: number }) => b.id);
    expect(new Set(refs('booking_cancelled', 'booking'))).to.deep.equal(new Set(cancelledIds));
    expect(new Set(refs('payout_requested', 'payout'))).to.deep.equal(payoutIds);

    // 5. And the restarted server works.
    const again = await fetch(`${proc.url}/api/sessions/${sessions[0]!.id}/`, { headers: bearer(learners[0]!) });
    expect(again.status).to.equal(200);
    expect(acked.bookings.size + acked.payouts.size).to.be.greaterThan(10);
  });
});
