import { expect } from 'chai';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { eventsDuring as recordEvents } from '../helpers/events.ts';
import { buildAdmin, buildBooking, buildLearner, buildMentor, buildSession, PASSWORD, tokenFor } from '../helpers/factories.ts';
import { MentorRequest, Notification, Payout, User, type PayoutStatus } from '../../src/models/index.ts';

const DAY = 24 * 3600_000;

describe('admin', () => {
  let server: TestServer;
  let admin: User;
  let token: string;
  before(async () => {
    server = await getTestServer();
    admin = await buildAdmin(server.db);
    token = tokenFor(server, admin);
  });
  after(() => server.close());

  const eventsDuring = <T>(fn: () => Promise<T>) => recordEvents(server, fn);

  const payout = (mentor: User, status: PayoutStatus = 'pending', amount_cents = 2500) =>
    Payout.query(server.db).insertAndFetch({ mentor_id: mentor.id, amount_cents, currency: 'USD', status });

  describe('access', () => {
    const operations: Array<[string, string, unknown?]> = [
      ['GET', '/api/admin/users/'],
      ['POST', '/api/admin/users/', { username: 'someone_new', email: 'someone_new@example.test', password: 'a-long-password', role: 'learner' }],
      ['GET', '/api/admin/users/1/'],
      ['PATCH', '/api/admin/users/1/', { is_active: false }],
      ['GET', '/api/admin/sessions/'],
      ['GET', '/api/admin/payouts/'],
      ['POST', '/api/admin/payouts/{payout}/approve/'],
      ['POST', '/api/admin/payouts/{payout}/reject/'],
      ['POST', '/api/admin/payouts/{payout}/mark-paid/'],
      ['POST', '/api/admin/notifications/', { role: 'all', message: 'hi' }],
      ['GET', '/api/admin/stats/'],
    ];

    it('answers 401 to anonymous callers and 403 to mentors and learners, changing nothing', async () => {
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const p = await payout(mentor);
      for (const [method, rawPath, body] of operations) {
        const path = rawPath.replace('{payout}', String(p.id));
        const anonymous = await server.api.request(method, path, { body });
        expect(anonymous.status, `${method} ${path}`).to.equal(401);
        for (const caller of [mentor, learner]) {
          const res = await server.api.request(method, path, { body, token: tokenFor(server, caller) });
          expect(res.status, `${method} ${path}`).to.equal(403);
          expect(res.body.code).to.equal('wrong_role');
        }
      }
      expect((await Payout.query(server.db).findById(p.id))!.status).to.equal('pending');
      expect(await User.query(server.db).findOne({ username: 'someone_new' })).to.equal(undefined);
      expect(await Notification.query(server.db).where('type', 'broadcast')).to.have.length(0);
    });
  });

  describe('users', () => {
    it('lists users by id with role, activity, admin and case-insensitive search filters', async () => {
      const tag = `zq${Date.now().toString(36)}`;
      const ada = await buildMentor(server.db, { username: `${tag}_ada`, first_name: 'Ada' });
      const bob = await buildLearner(server.db, { username: `${tag}_bob`, is_active: false });
      const cy = await buildLearner(server.db, { username: `${tag}_cy`, last_name: 'Mc%Cy', email: `${tag}_CY@Example.test` });
      const page = async (qs: string) => (await server.api.get(`/api/admin/users/?${qs}`, { token })).body;

      const all = await page(`search=${tag.toUpperCase()}`);
      expect(all.results.map((u: { id: number }) => u.id)).to.deep.equal([ada.id, bob.id, cy.id]);
      expect(all.results[1]).to.include({ is_active: false, role: 'learner', is_admin: false });
      expect(all.results[0]).not.to.have.property('password_hash');
      expect((await page(`search=${tag}&role=learner`)).count).to.equal(2);
      expect((await page(`search=${tag}&is_active=false`)).results.map((u: { id: number }) => u.id)).to.deep.equal([bob.id]);
      expect((await page(`search=${tag}_cy@example`)).count).to.equal(1);
      // `%` and `_` are literal characters, not wildcards.
      expect((await page(`search=${encodeURIComponent('c%c')}`)).results.map((u: { id: number }) => u.id)).to.deep.equal([cy.id]);
      expect((await page('search=a%25b')).count).to.equal(0);
      const admins = await page('is_admin=true');
      expect(admins.results.map((u: { id: number }) => u.id)).to.include(admin.id);
      for (const u of admins.results) expect(u.is_admin).to.equal(true);
    });

    it('refuses bad filters naming them', async () => {
      for (const [qs, field] of [['role=admin', 'role'], ['is_active=perhaps', 'is_active'], ['search=', 'search'], ['sort=id', 'sort']]) {
        const res = await server.api.get(`/api/admin/users/?${qs}`, { token });
        expect(res.status, qs).to.equal(400);
        expect(res.body.errors[0]).to.include({ in: 'query', path: field });
      }
    });

    it('creates users of any role, optionally admins, who can then log in', async () => {
      const res = await server.api.post(
        '/api/admin/users/',
        { username: 'made_by_admin', email: 'made@example.test', password: 'a-long-password', role: 'mentor', is_admin: true, first_name: 'Made' },
        { token },
      );
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ username: 'made_by_admin', role: 'mentor', is_admin: true, is_active: true, first_name: 'Made' });
      const login = await server.api.post('/api/auth/token/', { username: 'made_by_admin', password: 'a-long-password' });
      expect(login.status).to.equal(200);
    });

    it('refuses a taken username or email (409 naming the field) and invalid input (400)', async () => {
      const existing = await buildLearner(server.db);
      const base = { username: 'fresh_name', email: 'fresh@example.test', password: 'a-long-password', role: 'learner' };
      const name = await server.api.post('/api/admin/users/', { ...base, username: existing.username.toUpperCase() }, { token });
      expect(name.status).to.equal(409);
      expect(name.body.errors[0].path).to.equal('username');
      const email = await server.api.post('/api/admin/users/', { ...base, email: existing.email }, { token });
      expect(email.status).to.equal(409);
      expect(email.body.errors[0].path).to.equal('email');
      const bad = await server.api.post('/api/admin/users/', { ...base, role: 'admin', is_active: false }, { token });
      expect(bad.status).to.equal(400);
      expect(bad.body.errors.map((e: { path: string }) => e.path)).to.include.members(['role', 'is_active']);
      expect(await User.query(server.db).findOne({ username: 'fresh_name' })).to.equal(undefined);
    });

    it('gets a user by id (404 for an unknown id)', async () => {
      const learner = await buildLearner(server.db);
      const res = await server.api.get(`/api/admin/users/${learner.id}/`, { token });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ id: learner.id, username: learner.username, email: learner.email });
      expect((await server.api.get('/api/admin/users/999999/', { token })).status).to.equal(404);
    });

    it('deactivates a user: refresh tokens revoked, access token refused at once, event published', async () => {
      const learner = await buildLearner(server.db);
      const login = await server.api.post('/api/auth/token/', { username: learner.username, password: PASSWORD });
      const { result, events } = await eventsDuring(() => server.api.patch(`/api/admin/users/${learner.id}/`, { is_active: false }, { token }));
      expect(result.status).to.equal(200);
      expect(result.body.is_active).to.equal(false);
      expect(events).to.deep.equal([{ type: 'user.deactivated', userId: learner.id }]);
      expect((await server.api.post('/api/auth/token/refresh/', { refresh: login.body.refresh })).status).to.equal(401);
      expect((await server.api.get('/api/notifications/', { token: login.body.access })).status).to.equal(401);

      const again = await eventsDuring(() => server.api.patch(`/api/admin/users/${learner.id}/`, { is_active: false }, { token }));
      expect(again.events).to.deep.equal([]);
      const back = await server.api.patch(`/api/admin/users/${learner.id}/`, { is_active: true }, { token });
      expect(back.body.is_active).to.equal(true);
    });

    it('changes role and admin rights', async () => {
      const learner = await buildLearner(server.db);
      const res = await server.api.patch(`/api/admin/users/${learner.id}/`, { role: 'mentor', is_admin: true }, { token });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ role: 'mentor', is_admin: true });
      const row = await User.query(server.db).findById(learner.id);
      expect(row).to.include({ role: 'mentor', is_admin: true });
    });

    it('refuses to let an admin deactivate or demote themselves (409)', async () => {
      for (const body of [{ is_active: false }, { is_admin: false }, { role: 'learner', is_admin: false }]) {
        const res = await server.api.patch(`/api/admin/users/${admin.id}/`, body, { token });
        expect(res.status).to.equal(409);
        expect(res.body.code).to.equal('self_lockout');
      }
      expect(await User.query(server.db).findById(admin.id)).to.include({ is_active: true, is_admin: true, role: 'mentor' });
    });

    it('refuses to make a mentor with open sessions or pending requests a learner (409)', async () => {
      const mentor = await buildMentor(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id });
      const refused = await server.api.patch(`/api/admin/users/${mentor.id}/`, { role: 'learner' }, { token });
      expect(refused.status).to.equal(409);
      expect(refused.body.code).to.equal('mentor_has_open_work');
      expect(refused.body.detail).to.contain('1 open session');
      await server.db('sessions').where('id', session.id).update({ status: 'completed' });

      const learner = await buildLearner(server.db);
      await MentorRequest.query(server.db).insert({ mentor_id: mentor.id, learner_id: learner.id, topic: 't', message: '', preferred_times: [], status: 'pending' });
      const pending = await server.api.patch(`/api/admin/users/${mentor.id}/`, { role: 'learner' }, { token });
      expect(pending.status).to.equal(409);
      expect(pending.body.detail).to.contain('1 pending request');
      await server.db('requests').where('mentor_id', mentor.id).update({ status: 'cancelled' });

      const ok = await server.api.patch(`/api/admin/users/${mentor.id}/`, { role: 'learner' }, { token });
      expect(ok.status).to.equal(200);
      expect(ok.body.role).to.equal('learner');
    });

    it('refuses an empty or unknown change and answers 404 for an unknown user', async () => {
      const learner = await buildLearner(server.db);
      const empty = await server.api.patch(`/api/admin/users/${learner.id}/`, {}, { token });
      expect(empty.status).to.equal(400);
      const unknown = await server.api.patch(`/api/admin/users/${learner.id}/`, { password_hash: 'x', email: 'x@example.test' }, { token });
      expect(unknown.status).to.equal(400);
      expect(unknown.body.errors.map((e: { path: string }) => e.path)).to.include.members(['password_hash', 'email']);
      expect((await server.api.patch('/api/admin/users/999999/', { is_active: false }, { token })).status).to.equal(404);
    });
  });

  describe('sessions', () => {
    it('lists every mentor’s sessions by start time with status and mentor filters', async () => {
      const m1 = await buildMentor(server.db);
      const m2 = await buildMentor(server.db);
      const later = await buildSession(server.db, { mentor_id: m1.id, start_time: new Date(Date.now() + 5 * DAY) });
      const sooner = await buildSession(server.db, { mentor_id: m2.id, start_time: new Date(Date.now() + 2 * DAY) });
      const draft = await buildSession(server.db, { mentor_id: m1.id, status: 'draft', start_time: new Date(Date.now() + 3 * DAY) });
      const all = await server.api.get('/api/admin/sessions/?page_size=100', { token });
      expect(all.status).to.equal(200);
      const ids = all.body.results.map((s: { id: number }) => s.id);
      expect(ids.indexOf(sooner.id)).to.be.below(ids.indexOf(draft.id));
      expect(ids.indexOf(draft.id)).to.be.below(ids.indexOf(later.id));
      const mine = await server.api.get(`/api/admin/sessions/?mentor=${m1.id}&status=draft`, { token });
      expect(mine.body.results.map((s: { id: number }) => s.id)).to.deep.equal([draft.id]);
      expect(mine.body.results[0].mentor_summary.id).to.equal(m1.id);
      const bad = await server.api.get('/api/admin/sessions/?status=done', { token });
      expect(bad.status).to.equal(400);
      expect(bad.body.errors[0]).to.include({ in: 'query', path: 'status' });
    });
  });

  describe('payouts', () => {
    it('lists every payout oldest first with status and mentor filters', async () => {
      const m1 = await buildMentor(server.db);
      const m2 = await buildMentor(server.db);
      const a = await payout(m1, 'pending');
      const b = await payout(m2, 'pending');
      const c = await payout(m1, 'paid');
      const pending = await server.api.get('/api/admin/payouts/?status=pending&page_size=100', { token });
      const ids = pending.body.results.map((p: { id: number }) => p.id);
      expect(ids.indexOf(a.id)).to.be.below(ids.indexOf(b.id));
      expect(ids).not.to.include(c.id);
      const theirs = await server.api.get(`/api/admin/payouts/?mentor=${m1.id}`, { token });
      expect(theirs.body.results.map((p: { id: number }) => p.id)).to.deep.equal([a.id, c.id]);
    });

    const actions = [
      ['approve', 'approved', 'payout_approved'],
      ['reject', 'rejected', 'payout_rejected'],
      ['mark-paid', 'paid', 'payout_paid'],
    ] as const;
    const allowed: Record<string, PayoutStatus[]> = { approve: ['pending'], reject: ['pending', 'approved'], 'mark-paid': ['pending', 'approved'] };

    for (const [action, to, type] of actions) {
      for (const from of ['pending', 'approved', 'paid', 'rejected'] as const) {
        const ok = allowed[action]!.includes(from);
        it(`${action}: ${from} → ${ok ? to : '409'}`, async () => {
          const mentor = await buildMentor(server.db);
          const p = await payout(mentor, from);
          const { result: res, events } = await eventsDuring(() =>
            server.api.post(`/api/admin/payouts/${p.id}/${action}/`, { note: 'checked by finance' }, { token }),
          );
          const row = (await Payout.query(server.db).findById(p.id))!;
          const notes = await Notification.query(server.db).where('user_id', mentor.id);
          if (!ok) {
            expect(res.status).to.equal(409);
            expect(res.body.detail).to.match(new RegExp(`^An? ${from} payout cannot be`));
            expect(row).to.include({ status: from, processed_by: null, admin_note: null });
            expect(notes).to.have.length(0);
            expect(events).to.deep.equal([]);
            return;
          }
          expect(res.status).to.equal(200);
          expect(res.body).to.include({ id: p.id, status: to, admin_note: 'checked by finance', processed_by: admin.id });
          expect(Date.parse(res.body.processed_at)).to.be.closeTo(Date.now(), 60_000);
          expect(notes).to.have.length(1);
          expect(notes[0]).to.include({ type, link: '/dashboard#earnings' });
          expect(notes[0]!.message).to.contain('25.00 USD').and.contain('checked by finance');
          expect(notes[0]!.data).to.deep.equal({ payout: p.id });
          expect(events.map((e) => e.type)).to.deep.equal(['notification.created', 'payout.changed']);
        });
      }
    }

    it('says which transition was refused', async () => {
      const p = await payout(await buildMentor(server.db), 'paid');
      const res = await server.api.post(`/api/admin/payouts/${p.id}/approve/`, undefined, { token });
      expect(res.body.detail).to.equal('A paid payout cannot be approved.');
    });

    it('accepts a decision without a body and clears the previous admin note', async () => {
      const p = await payout(await buildMentor(server.db), 'pending');
      await server.api.post(`/api/admin/payouts/${p.id}/approve/`, { note: 'first look' }, { token });
      const res = await server.api.post(`/api/admin/payouts/${p.id}/mark-paid/`, undefined, { token });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ status: 'paid', admin_note: null });
    });

    it('returns a rejected amount to the mentor’s available balance', async () => {
      const mentor = await buildMentor(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: new Date(Date.now() - DAY), price_cents: 4000 });
      await buildBooking(server.db, { session, learner_id: (await buildLearner(server.db)).id, status: 'attended' });
      const mentorToken = tokenFor(server, mentor);
      const requested = await server.api.post('/api/payouts/', { amount: '40.00' }, { token: mentorToken });
      expect((await server.api.get('/api/earnings/', { token: mentorToken })).body.available).to.equal('0.00');
      await server.api.post(`/api/admin/payouts/${requested.body.id}/reject/`, { note: 'bank details missing' }, { token });
      const earnings = await server.api.get('/api/earnings/', { token: mentorToken });
      expect(earnings.body).to.include({ available: '40.00', pending_payouts: '0.00' });
    });

    // Each pair excludes itself: whichever runs second finds a status it cannot start from.
    for (const [first, second] of [['approve', 'approve'], ['reject', 'mark-paid']]) {
      it(`lets exactly one of two concurrent decisions win (${first} / ${second})`, async () => {
        const mentor = await buildMentor(server.db);
        const p = await payout(mentor, 'pending');
        const other = tokenFor(server, await buildAdmin(server.db));
        const [a, b] = await Promise.all([
          server.api.post(`/api/admin/payouts/${p.id}/${first}/`, undefined, { token }),
          server.api.post(`/api/admin/payouts/${p.id}/${second}/`, undefined, { token: other }),
        ]);
        expect([a.status, b.status].sort()).to.deep.equal([200, 409]);
        const winner = a.status === 200 ? a : b;
        expect((await Payout.query(server.db).findById(p.id))!.status).to.equal(winner.body.status);
        expect(await Notification.query(server.db).where('user_id', mentor.id)).to.have.length(1);
      });
    }

    it('answers 404 for an unknown payout and 400 for a bad note', async () => {
      expect((await server.api.post('/api/admin/payouts/999999/approve/', undefined, { token })).status).to.equal(404);
      const p = await payout(await buildMentor(server.db));
      const res = await server.api.post(`/api/admin/payouts/${p.id}/reject/`, { note: 'x'.repeat(501) }, { token });
      expect(res.status).to.equal(400);
      expect(res.body.errors[0]).to.include({ in: 'body', path: 'note' });
      expect((await Payout.query(server.db).findById(p.id))!.status).to.equal('pending');
    });
  });

  describe('broadcast', () => {
    it('notifies one active user', async () => {
      const learner = await buildLearner(server.db);
      const { result, events } = await eventsDuring(() =>
        server.api.post('/api/admin/notifications/', { user: learner.id, message: 'Maintenance tonight', link: '/dashboard#notifications' }, { token }),
      );
      expect(result.status).to.equal(201);
      expect(result.body).to.deep.equal({ sent: 1 });
      const rows = await Notification.query(server.db).where('user_id', learner.id);
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include({ type: 'broadcast', message: 'Maintenance tonight', link: '/dashboard#notifications', read_status: false });
      expect(events).to.have.length(1);
      expect(events[0]).to.deep.include({ type: 'notification.created' });
      expect((events[0] as { notification: Notification }).notification.id).to.equal(rows[0]!.id);
    });

    it('refuses an unknown or deactivated user naming the field, writing nothing', async () => {
      const gone = await buildLearner(server.db, { is_active: false });
      for (const user of [gone.id, 999999]) {
        const res = await server.api.post('/api/admin/notifications/', { user, message: 'hi' }, { token });
        expect(res.status).to.equal(400);
        expect(res.body.errors[0]).to.include({ in: 'body', path: 'user' });
      }
      expect(await Notification.query(server.db).where('user_id', gone.id)).to.have.length(0);
    });

    it('refuses both or neither target, an empty message and an external link', async () => {
      const learner = await buildLearner(server.db);
      for (const body of [
        { user: learner.id, role: 'all', message: 'hi' },
        { message: 'hi' },
        { role: 'all', message: '   ' },
        { role: 'admins', message: 'hi' },
        { role: 'all', message: 'hi', link: '//evil.example/x' },
      ]) {
        const res = await server.api.post('/api/admin/notifications/', body, { token });
        expect(res.status, JSON.stringify(body)).to.equal(400);
      }
      expect(await Notification.query(server.db).where('type', 'broadcast').where('user_id', learner.id)).to.have.length(0);
    });

    it('notifies every active user of a role, or everyone, in batches', async () => {
      // Enough recipients for more than one multi-row INSERT.
      const marker = `bulk${Date.now().toString(36)}`;
      const rows = Array.from({ length: 620 }, (_, i) => ({
        username: `${marker}_${i}`,
        email: `${marker}_${i}@example.test`,
        password_hash: 'x',
        role: i % 2 ? 'learner' : 'mentor',
        is_active: i % 10 !== 0,
        timezone: 'UTC',
        expertise: '[]',
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      }));
      for (let i = 0; i < rows.length; i += 100) await server.db('users').insert(rows.slice(i, i + 100));
      const active = async (role?: string) => {
        const q = server.db('users').where('is_active', true);
        if (role) q.where('role', role);
        return Number((await q.count({ n: '*' }).first())!.n);
      };

      const learners = await server.api.post('/api/admin/notifications/', { role: 'learner', message: 'For learners' }, { token });
      expect(learners.status).to.equal(201);
      expect(learners.body.sent).to.equal(await active('learner'));

      const { result: everyone, events } = await eventsDuring(() =>
        server.api.post('/api/admin/notifications/', { role: 'all', message: 'For everyone' }, { token }),
      );
      expect(everyone.body.sent).to.equal(await active());
      const written = await Notification.query(server.db).where({ message: 'For everyone' }).orderBy('id');
      expect(written).to.have.length(everyone.body.sent);
      const pushed = events.map((e) => (e as { notification: Notification }).notification);
      expect(pushed.map((n) => n.id)).to.deep.equal(written.map((n) => n.id));
      expect(pushed[0]).to.include({ type: 'broadcast', read_status: false, user_id: written[0]!.user_id });
      expect(pushed[0]!.timestamp).to.be.instanceOf(Date);
      expect(pushed[0]!.data).to.deep.equal({});
      const inactive = await server.db('users').where('is_active', false).pluck('id');
      expect(await Notification.query(server.db).whereIn('user_id', inactive).where('type', 'broadcast')).to.have.length(0);
      const mentors = await server.api.post('/api/admin/notifications/', { role: 'mentor', message: 'For mentors' }, { token });
      expect(mentors.body.sent).to.equal(await active('mentor'));
    });
  });

  describe('stats', () => {
    it('counts users, sessions, bookings, requests, revenue and payouts', async () => {
      const before = (await server.api.get('/api/admin/stats/', { token })).body;
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const done = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: new Date(Date.now() - DAY), price_cents: 5000, capacity: 3 });
      await buildBooking(server.db, { session: done, learner_id: learner.id, status: 'attended' });
      await buildBooking(server.db, { session: done, learner_id: (await buildLearner(server.db, { is_active: false })).id, status: 'cancelled', cancelled_at: new Date() });
      const open = await buildSession(server.db, { mentor_id: mentor.id, price_cents: 7000 });
      await buildBooking(server.db, { session: open, learner_id: learner.id });
      // A priced session is in its mentor's currency: the EUR amounts belong to a EUR mentor.
      const euroMentor = await buildMentor(server.db, { currency: 'EUR' });
      const euro = await buildSession(server.db, { mentor_id: euroMentor.id, status: 'completed', start_time: new Date(Date.now() - DAY), price_cents: 3000, currency: 'EUR' });
      await buildBooking(server.db, { session: euro, learner_id: learner.id, status: 'attended' });
      await MentorRequest.query(server.db).insert({ mentor_id: mentor.id, learner_id: learner.id, topic: 't', message: '', preferred_times: [], status: 'declined', responded_at: new Date() });
      await payout(mentor, 'paid', 1000);
      await payout(mentor, 'rejected', 250);
      await Payout.query(server.db).insert({ mentor_id: euroMentor.id, amount_cents: 999, currency: 'EUR', status: 'pending' });

      const res = await server.api.get('/api/admin/stats/', { token });
      expect(res.status).to.equal(200);
      const after = res.body;
      const cents = (s: string) => Math.round(Number(s) * 100);
      expect(after.currency).to.equal('USD');
      expect(Date.parse(after.generated_at)).to.be.closeTo(Date.now(), 60_000);
      expect(after.users.total - before.users.total).to.equal(4);
      expect(after.users.mentors - before.users.mentors).to.equal(2);
      expect(after.users.learners - before.users.learners).to.equal(2);
      expect(after.users.active - before.users.active).to.equal(3);
      expect(after.users.admins).to.equal(before.users.admins);
      expect(after.sessions.completed - before.sessions.completed).to.equal(2);
      expect(after.sessions.scheduled - before.sessions.scheduled).to.equal(1);
      expect(after.bookings.attended - before.bookings.attended).to.equal(2);
      expect(after.bookings.booked - before.bookings.booked).to.equal(1);
      expect(after.bookings.cancelled - before.bookings.cancelled).to.equal(1);
      expect(after.requests.declined - before.requests.declined).to.equal(1);
      // Only the completed USD session's live booking: not the open session, not the EUR one.
      expect(cents(after.gross_revenue) - cents(before.gross_revenue)).to.equal(5000);
      expect(cents(after.payouts.paid) - cents(before.payouts.paid)).to.equal(1000);
      expect(cents(after.payouts.rejected) - cents(before.payouts.rejected)).to.equal(250);
      expect(after.payouts.pending).to.equal(before.payouts.pending);
    });
  });
});
