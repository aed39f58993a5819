import { expect } from 'chai';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildBooking, buildLearner, buildMentor, buildSession, tokenFor } from '../helpers/factories.ts';
import { Feedback, User } from '../../src/models/index.ts';

const fieldsOf = (body: { errors?: Array<{ path: string }> }) => (body.errors ?? []).map((e) => e.path);

describe('mentors', () => {
  let server: TestServer;
  let viewer: User;
  let ada: User;
  let bob: User;
  let cy: User;
  const token = (u: User) => tokenFor(server, u);
  const usernames = (res: { body: { results: Array<{ username: string }> } }) => res.body.results.map((m) => m.username);

  before(async () => {
    server = await getTestServer();
    viewer = await buildLearner(server.db);
    ada = await buildMentor(server.db, {
      username: 'ada_l',
      first_name: 'Ada',
      last_name: 'Lovelace',
      bio: 'Poetical science and 100% engines',
      expertise: ['TypeScript', 'Mathematics'],
      hourly_rate_cents: 9000,
      currency: 'GBP',
    });
    bob = await buildMentor(server.db, { username: 'Bob.k', first_name: 'Bob', last_name: 'Kahn', bio: 'Networks', expertise: ['TCP/IP', 'Type Theory'] });
    cy = await buildMentor(server.db, { username: 'cy_b', first_name: 'Cy', last_name: 'Berg', bio: '', expertise: ['"quoted"', 'Go'] });
    await buildMentor(server.db, { username: 'zed_gone', first_name: 'Zed', is_active: false, expertise: ['TypeScript'] });
    await buildLearner(server.db, { username: 'ada_learner', first_name: 'Ada' });
  });
  after(() => server.close());

  describe('GET /api/mentors/', () => {
    it('lists active mentors only, ordered by username, to any signed-in user', async () => {
      for (const who of [viewer, bob]) {
        const res = await server.api.get('/api/mentors/', { token: token(who) });
        expect(res.status).to.equal(200);
        expect(usernames(res)).to.deep.equal(['ada_l', 'Bob.k', 'cy_b']);
      }
    });

    it('shows the public profile without private fields', async () => {
      const res = await server.api.get('/api/mentors/?search=lovelace', { token: token(viewer) });
      expect(res.body.results).to.have.length(1);
      expect(res.body.results[0]).to.include({ id: ada.id, hourly_rate: '90.00', currency: 'GBP', average_rating: null, feedback_count: 0 });
      expect(res.text).not.to.include(ada.email);
      expect(res.body.results[0]).not.to.have.any.keys('email', 'is_admin', 'role', 'last_login');
    });

    const searches: Array<[string, string[]]> = [
      ['ADA', ['ada_l']],
      ['kah', ['Bob.k']],
      ['berg', ['cy_b']],
      ['NETWORK', ['Bob.k']],
      ['100%', ['ada_l']],
      ['%', ['ada_l']],
      ['_', ['ada_l', 'cy_b']],
      ['b.k', ['Bob.k']],
      ['nobody', []],
    ];
    for (const [term, expected] of searches) {
      it(`searches username, names and bio case-insensitively, wildcards literal: "${term}"`, async () => {
        const res = await server.api.get(`/api/mentors/?search=${encodeURIComponent(term)}`, { token: token(viewer) });
        expect(res.status).to.equal(200);
        expect(usernames(res)).to.deep.equal(expected);
      });
    }

    const tags: Array<[string, string[]]> = [
      ['typescript', ['ada_l']],
      ['TYPE THEORY', ['Bob.k']],
      ['Type', []],
      ['Script', []],
      ['tcp/ip', ['Bob.k']],
      ['"quoted"', ['cy_b']],
      ['quoted', []],
      ['%', []],
    ];
    for (const [tag, expected] of tags) {
      it(`filters by an exact expertise tag, case-insensitively: "${tag}"`, async () => {
        const res = await server.api.get(`/api/mentors/?expertise=${encodeURIComponent(tag)}`, { token: token(viewer) });
        expect(res.status).to.equal(200);
        expect(usernames(res)).to.deep.equal(expected);
      });
    }

    it('combines search and expertise, and paginates', async () => {
      const both = await server.api.get('/api/mentors/?search=a&expertise=go', { token: token(viewer) });
      expect(usernames(both)).to.deep.equal([]);
      const page = await server.api.get('/api/mentors/?page_size=2&page=2', { token: token(viewer) });
      expect(page.body).to.include({ count: 3, next: null });
      expect(usernames(page)).to.deep.equal(['cy_b']);
      expect(page.body.previous).to.match(/page=1/);
    });

    it('refuses an unknown parameter (400) and an anonymous caller (401)', async () => {
      const bad = await server.api.get('/api/mentors/?role=learner', { token: token(viewer) });
      expect(bad.status).to.equal(400);
      expect(fieldsOf(bad.body)).to.deep.equal(['role']);
      expect((await server.api.get('/api/mentors/')).status).to.equal(401);
    });
  });

  describe('GET /api/mentors/{id}/', () => {
    it('answers the public profile with ratings and completed sessions', async () => {
      const [l1, l2] = [await buildLearner(server.db), await buildLearner(server.db)];
      const done = await buildSession(server.db, { mentor_id: bob.id, status: 'completed', capacity: 2 });
      const done2 = await buildSession(server.db, { mentor_id: bob.id, status: 'completed' });
      await buildSession(server.db, { mentor_id: bob.id, status: 'scheduled' });
      await buildSession(server.db, { mentor_id: ada.id, status: 'completed' });
      for (const learner of [l1, l2]) await buildBooking(server.db, { session: done, learner_id: learner.id });
      for (const [session, learner, rating] of [[done, l1, 5], [done, l2, 4], [done2, l1, 4]] as const) {
        await Feedback.query(server.db).insert({ session_id: session.id, learner_id: learner.id, rating });
      }

      const res = await server.api.get(`/api/mentors/${bob.id}/`, { token: token(viewer) });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ id: bob.id, username: 'Bob.k', average_rating: 4.33, feedback_count: 3, completed_sessions: 2 });
      expect(res.body.expertise).to.deep.equal(['TCP/IP', 'Type Theory']);

      const none = await server.api.get(`/api/mentors/${cy.id}/`, { token: token(viewer) });
      expect(none.body).to.include({ average_rating: null, feedback_count: 0, completed_sessions: 0 });
      const list = await server.api.get('/api/mentors/?search=bob', { token: token(viewer) });
      expect(list.body.results[0]).to.include({ average_rating: 4.33, feedback_count: 3, completed_sessions: 2 });
    });

    it('answers 404 for a learner, an inactive mentor and a missing id; 401 anonymously', async () => {
      const inactive = await User.query(server.db).findOne({ username: 'zed_gone' });
      for (const id of [viewer.id, inactive!.id, 999_999]) {
        const res = await server.api.get(`/api/mentors/${id}/`, { token: token(viewer) });
        expect(res.status).to.equal(404);
      }
      expect((await server.api.get(`/api/mentors/${ada.id}/`)).status).to.equal(401);
      expect((await server.api.get('/api/mentors/0/', { token: token(viewer) })).status).to.equal(400);
    });
  });
});
