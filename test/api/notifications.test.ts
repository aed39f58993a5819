import { expect } from 'chai';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { eventsDuring as recordEvents } from '../helpers/events.ts';
import { buildLearner, buildMentor, buildNotification, tokenFor } from '../helpers/factories.ts';
import { Notification, type User } from '../../src/models/index.ts';

describe('notifications', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer();
  });
  after(() => server.close());

  const eventsDuring = <T>(fn: () => Promise<T>) => recordEvents(server, fn);

  /** `count` notifications for `user`, oldest first; every other one already read. */
  async function inbox(user: User, count: number): Promise<Notification[]> {
    const out: Notification[] = [];
    for (let i = 0; i < count; i++) {
      const read = i % 2 === 1;
      out.push(await buildNotification(server.db, { user_id: user.id, message: `n${i}`, read_status: read, read_at: read ? new Date() : null }));
    }
    return out;
  }

  describe('GET /api/notifications/', () => {
    it('refuses anonymous callers', async () => {
      expect((await server.api.get('/api/notifications/')).status).to.equal(401);
    });

    it('lists only the caller’s notifications, newest first, with the unread count', async () => {
      const user = await buildLearner(server.db);
      const other = await buildLearner(server.db);
      const mine = await inbox(user, 5);
      await inbox(other, 3);
      const res = await server.api.get('/api/notifications/', { token: tokenFor(server, user) });
      expect(res.status).to.equal(200);
      expect(res.body.count).to.equal(5);
      expect(res.body.unread_count).to.equal(3);
      expect(res.body.results.map((n: { id: number }) => n.id)).to.deep.equal(mine.map((n) => n.id).reverse());
      expect(res.body.results[0]).to.include({ type: 'broadcast', message: 'n4', read_status: false, read_at: null });
    });

    it('filters by unread and keeps unread_count independent of filters and pages', async () => {
      const user = await buildMentor(server.db);
      const mine = await inbox(user, 6);
      const token = tokenFor(server, user);
      const unread = await server.api.get('/api/notifications/?unread=true', { token });
      expect(unread.body.results.map((n: { message: string }) => n.message)).to.deep.equal(['n4', 'n2', 'n0']);
      const read = await server.api.get('/api/notifications/?unread=false&page_size=1', { token });
      expect(read.body).to.include({ count: 3, unread_count: 3 });
      expect(read.body.results[0].id).to.equal(mine[5]!.id);
      expect(read.body.next).to.contain('page=2').and.contain('unread=false');
    });

    it('catches up after an id in ascending order (the reconnect cursor)', async () => {
      const user = await buildLearner(server.db);
      const mine = await inbox(user, 5);
      const res = await server.api.get(`/api/notifications/?after=${mine[1]!.id}`, { token: tokenFor(server, user) });
      expect(res.body.results.map((n: { id: number }) => n.id)).to.deep.equal(mine.slice(2).map((n) => n.id));
      expect(res.body.unread_count).to.equal(3);
      const unreadAfter = await server.api.get(`/api/notifications/?after=${mine[1]!.id}&unread=true`, { token: tokenFor(server, user) });
      expect(unreadAfter.body.results.map((n: { message: string }) => n.message)).to.deep.equal(['n2', 'n4']);
    });

    it('refuses bad query parameters naming them', async () => {
      const user = await buildLearner(server.db);
      const token = tokenFor(server, user);
      for (const [qs, field] of [['unread=maybe', 'unread'], ['after=-1', 'after'], ['read=true', 'read'], ['page=0', 'page']]) {
        const res = await server.api.get(`/api/notifications/?${qs}`, { token });
        expect(res.status, qs).to.equal(400);
        expect(res.body.errors[0]).to.include({ in: 'query', path: field });
      }
    });
  });

  describe('GET /api/notifications/{id}/', () => {
    it('shows the owner their notification', async () => {
      const user = await buildLearner(server.db);
      const [n] = await inbox(user, 1);
      const res = await server.api.get(`/api/notifications/${n!.id}/`, { token: tokenFor(server, user) });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ id: n!.id, message: 'n0' });
    });

    it('hides it from everybody else: another mentor, a learner, an admin (404), anonymous (401)', async () => {
      const owner = await buildMentor(server.db);
      const [n] = await inbox(owner, 1);
      for (const stranger of [await buildMentor(server.db), await buildLearner(server.db), await buildMentor(server.db, { is_admin: true })]) {
        const res = await server.api.get(`/api/notifications/${n!.id}/`, { token: tokenFor(server, stranger) });
        expect(res.status).to.equal(404);
        expect(res.text).not.to.contain('n0');
      }
      expect((await server.api.get(`/api/notifications/${n!.id}/`)).status).to.equal(401);
      const missing = await server.api.get('/api/notifications/999999/', { token: tokenFor(server, owner) });
      expect(missing.status).to.equal(404);
    });

    it('refuses a malformed id naming it', async () => {
      const user = await buildLearner(server.db);
      const res = await server.api.get('/api/notifications/abc/', { token: tokenFor(server, user) });
      expect(res.status).to.equal(400);
      expect(res.body.errors[0]).to.include({ in: 'path', path: 'id' });
    });
  });

  describe('PUT /api/notifications/{id}/', () => {
    it('marks read (setting read_at) and unread again (clearing it), announcing the change', async () => {
      const user = await buildLearner(server.db);
      const [n] = await inbox(user, 1);
      const token = tokenFor(server, user);
      const { result: read, events } = await eventsDuring(() => server.api.put(`/api/notifications/${n!.id}/`, { read_status: true }, { token }));
      expect(read.status).to.equal(200);
      expect(read.body.read_status).to.equal(true);
      expect(Date.parse(read.body.read_at)).to.be.closeTo(Date.now(), 60_000);
      expect(events).to.deep.equal([{ type: 'notifications.read', userId: user.id }]);

      const unread = await server.api.put(`/api/notifications/${n!.id}/`, { read_status: false }, { token });
      expect(unread.body).to.include({ read_status: false, read_at: null });
      const row = await Notification.query(server.db).findById(n!.id);
      expect(row).to.include({ read_status: false, read_at: null });
    });

    it('changes nothing and announces nothing when the state is already as asked', async () => {
      const user = await buildLearner(server.db);
      const [n] = await inbox(user, 1);
      const { result, events } = await eventsDuring(() =>
        server.api.put(`/api/notifications/${n!.id}/`, { read_status: false }, { token: tokenFor(server, user) }),
      );
      expect(result.status).to.equal(200);
      expect(events).to.deep.equal([]);
    });

    it("answers 404 for somebody else's notification and leaves it unchanged", async () => {
      const owner = await buildMentor(server.db);
      const [n] = await inbox(owner, 1);
      for (const stranger of [await buildMentor(server.db), await buildLearner(server.db)]) {
        const { result, events } = await eventsDuring(() =>
          server.api.put(`/api/notifications/${n!.id}/`, { read_status: true }, { token: tokenFor(server, stranger) }),
        );
        expect(result.status).to.equal(404);
        expect(events).to.deep.equal([]);
      }
      expect((await server.api.put(`/api/notifications/${n!.id}/`, { read_status: true })).status).to.equal(401);
      const row = await Notification.query(server.db).findById(n!.id);
      expect(row).to.include({ read_status: false, read_at: null, user_id: owner.id });
    });

    it('refuses a missing read_status and any other field naming them', async () => {
      const user = await buildLearner(server.db);
      const [n] = await inbox(user, 1);
      const token = tokenFor(server, user);
      const missing = await server.api.put(`/api/notifications/${n!.id}/`, {}, { token });
      expect(missing.status).to.equal(400);
      expect(missing.body.errors[0]).to.include({ in: 'body', path: 'read_status' });
      const extra = await server.api.put(`/api/notifications/${n!.id}/`, { read_status: true, user_id: 1, message: 'x' }, { token });
      expect(extra.status).to.equal(400);
      expect(extra.body.errors.map((e: { path: string }) => e.path)).to.include.members(['user_id', 'message']);
      const row = await Notification.query(server.db).findById(n!.id);
      expect(row).to.include({ read_status: false, message: 'n0' });
    });
  });

  describe('POST /api/notifications/read-all/', () => {
    it('marks every unread notification of the caller read, and only theirs', async () => {
      const user = await buildLearner(server.db);
      const other = await buildLearner(server.db);
      await inbox(user, 5);
      await inbox(other, 2);
      const { result, events } = await eventsDuring(() => server.api.post('/api/notifications/read-all/', undefined, { token: tokenFor(server, user) }));
      expect(result.status).to.equal(200);
      expect(result.body).to.deep.equal({ updated: 3, unread_count: 0 });
      expect(events).to.deep.equal([{ type: 'notifications.read', userId: user.id }]);
      const rows = await Notification.query(server.db).where('user_id', user.id);
      for (const r of rows) expect(r.read_at).to.be.instanceOf(Date);
      const others = await server.api.get('/api/notifications/', { token: tokenFor(server, other) });
      expect(others.body.unread_count).to.equal(1);

      const again = await server.api.post('/api/notifications/read-all/', undefined, { token: tokenFor(server, user) });
      expect(again.body).to.deep.equal({ updated: 0, unread_count: 0 });
    });

    it('refuses anonymous callers', async () => {
      expect((await server.api.post('/api/notifications/read-all/')).status).to.equal(401);
    });
  });
});
