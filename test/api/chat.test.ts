import { expect } from 'chai';
import { ChatMessage, type Session, type User } from '../../src/models/index.ts';
import { buildAdmin, buildBooking, buildLearner, buildMentor, buildSession, tokenFor } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';

describe('GET /api/sessions/{id}/chat/', () => {
  let server: TestServer;
  let mentor: User;
  let learner: User;
  let session: Session;
  let messages: ChatMessage[];
  before(async () => {
    server = await getTestServer();
    mentor = await buildMentor(server.db);
    learner = await buildLearner(server.db);
    session = await buildSession(server.db, { mentor_id: mentor.id, capacity: 3 });
    await buildBooking(server.db, { session, learner_id: learner.id });
    messages = [];
    for (let i = 0; i < 5; i++) {
      const sender = i % 2 ? mentor : learner;
      messages.push(await ChatMessage.query(server.db).insertAndFetch({ session_id: session.id, sender_id: sender.id, body: `m${i}` }));
    }
  });
  after(() => server.close());

  const url = (query = '') => `/api/sessions/${session.id}/chat/${query}`;

  it('refuses anonymous callers', async () => {
    expect((await server.api.get(url())).status).to.equal(401);
  });

  it('lists the messages newest first with their senders, paginated', async () => {
    const res = await server.api.get(url('?page_size=2'), { token: tokenFor(server, learner) });
    expect(res.status).to.equal(200);
    expect(res.body.count).to.equal(5);
    expect(res.body.results.map((m: { body: string }) => m.body)).to.deep.equal(['m4', 'm3']);
    expect(res.body.results[1]).to.deep.equal({
      id: messages[3]!.id,
      session: session.id,
      sender: mentor.id,
      sender_summary: { id: mentor.id, username: mentor.username, first_name: 'Test', last_name: mentor.username, avatar: null },
      body: 'm3',
      created_at: messages[3]!.created_at.toISOString(),
    });
    expect(res.body.next).to.contain('page=2');
  });

  it('catches up after an id in ascending order', async () => {
    const res = await server.api.get(url(`?after=${messages[1]!.id}`), { token: tokenFor(server, mentor) });
    expect(res.body.results.map((m: { body: string }) => m.body)).to.deep.equal(['m2', 'm3', 'm4']);
  });

  it('is readable by the mentor, learners with a live booking and admins only', async () => {
    expect((await server.api.get(url(), { token: tokenFor(server, await buildAdmin(server.db)) })).status).to.equal(200);
    // A learner who may see the open session but holds no booking: 403.
    const stranger = await server.api.get(url(), { token: tokenFor(server, await buildLearner(server.db)) });
    expect(stranger.status).to.equal(403);
    const cancelled = await buildLearner(server.db);
    await buildBooking(server.db, { session, learner_id: cancelled.id, status: 'cancelled', cancelled_at: new Date() });
    expect((await server.api.get(url(), { token: tokenFor(server, cancelled) })).status).to.equal(403);
    // Another mentor cannot even see it: 404.
    const otherMentor = await server.api.get(url(), { token: tokenFor(server, await buildMentor(server.db)) });
    expect(otherMentor.status).to.equal(404);
    const missing = await server.api.get('/api/sessions/999999/chat/', { token: tokenFor(server, mentor) });
    expect(missing.status).to.equal(404);
  });

  it('refuses bad query parameters naming them', async () => {
    for (const [qs, field] of [['after=-1', 'after'], ['after=x', 'after'], ['before=3', 'before']]) {
      const res = await server.api.get(url(`?${qs}`), { token: tokenFor(server, mentor) });
      expect(res.status, qs).to.equal(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).to.include(field);
    }
  });
});
