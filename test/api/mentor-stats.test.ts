/**
 * The mentor directory's counters (table `mentor_stats`, kept by triggers) follow the workflows
 * that change them: completing a session, rating it, cancelling another one. What the API shows
 * stays what the aggregates of the rows would give.
 */
import { expect } from 'chai';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildBooking, buildLearner, buildMentor, buildPresence, buildSession, tokenFor } from '../helpers/factories.ts';
import type { User } from '../../src/models/index.ts';

describe('mentor statistics follow the workflows', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer();
  });
  after(() => server.close());

  it('counts a completed session, its rating, and not a cancelled session', async () => {
    const mentor = await buildMentor(server.db);
    const viewer = await buildLearner(server.db);
    const [a, b] = [await buildLearner(server.db), await buildLearner(server.db)];
    const as = (u: User) => ({ token: tokenFor(server, u) });
    const profile = async () => {
      const res = await server.api.get(`/api/mentors/${mentor.id}/`, as(viewer));
      expect(res.status).to.equal(200);
      const listed = await server.api.get(`/api/mentors/?search=${encodeURIComponent(mentor.username)}`, as(viewer));
      const { average_rating, feedback_count, completed_sessions } = res.body;
      expect(listed.body.results[0]).to.include({ id: mentor.id, average_rating, feedback_count, completed_sessions });
      return { average_rating, feedback_count, completed_sessions };
    };
    /** The counters against the aggregates they replace. */
    const matchesRows = async () => {
      const completed = Number((await server.db('sessions').where({ mentor_id: mentor.id, status: 'completed' }).count({ n: '*' }))[0]!.n);
      const [rated] = (await server.db('feedback').join('sessions', 'sessions.id', 'feedback.session_id').where('sessions.mentor_id', mentor.id)
        .sum({ sum: 'feedback.rating' }).count({ n: '*' })) as Array<{ sum: number | string | null; n: number | string }>;
      const row = await server.db('mentor_stats').where({ mentor_id: mentor.id }).first();
      expect([row?.completed_sessions ?? 0, row?.rating_sum ?? 0, row?.rating_count ?? 0].map(Number)).to.deep.equal([completed, Number(rated!.sum ?? 0), Number(rated!.n)]);
    };
    expect(await profile()).to.deep.equal({ average_rating: null, feedback_count: 0, completed_sessions: 0 });

    const running = await buildSession(server.db, { mentor_id: mentor.id, status: 'in_progress', capacity: 2, start_time: new Date(Date.now() - 30 * 60_000) });
    for (const learner of [a, b]) {
      await buildBooking(server.db, { session: running, learner_id: learner.id });
      await buildPresence(server.db, { session: running, user_id: learner.id });
    }
    expect((await server.api.post(`/api/sessions/${running.id}/complete/`, undefined, as(mentor))).status).to.equal(200);
    expect(await profile()).to.deep.equal({ average_rating: null, feedback_count: 0, completed_sessions: 1 });
    await matchesRows();

    expect((await server.api.post(`/api/sessions/${running.id}/feedback/`, { rating: 5 }, as(a))).status).to.equal(201);
    expect((await server.api.post(`/api/sessions/${running.id}/feedback/`, { rating: 2 }, as(b))).status).to.equal(201);
    expect(await profile()).to.deep.equal({ average_rating: 3.5, feedback_count: 2, completed_sessions: 1 });
    await matchesRows();

    const later = await buildSession(server.db, { mentor_id: mentor.id, status: 'scheduled' });
    expect((await server.api.post(`/api/sessions/${later.id}/cancel/`, undefined, as(mentor))).status).to.equal(200);
    expect(await profile()).to.deep.equal({ average_rating: 3.5, feedback_count: 2, completed_sessions: 1 });
    await matchesRows();
  });
});
