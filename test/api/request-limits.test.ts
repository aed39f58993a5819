/**
 * Session requests cannot flood a mentor: at most REQUEST_MAX_PENDING (3) pending requests per
 * learner and mentor, decided in the transaction, and at most REQUEST_RATE_LIMIT (20) creation
 * attempts per learner per REQUEST_RATE_WINDOW_SECONDS (600), answered 429 with Retry-After.
 */
import { expect } from 'chai';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildLearner, buildMentor, tokenFor } from '../helpers/factories.ts';
import { addMinutes } from '../../src/lib/time.ts';
import { MentorRequest, Notification, type User } from '../../src/models/index.ts';

describe('request creation limits', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer();
  });
  after(() => server.close());

  const auth = (user: User) => ({ token: tokenFor(server, user) });
  const body = (mentor: User, topic = 'Help') => ({ mentor: mentor.id, topic, preferred_times: [addMinutes(new Date(), 48 * 60).toISOString()] });
  const ask = (learner: User, mentor: User, topic?: string) => server.api.post('/api/requests/', body(mentor, topic), auth(learner));
  const requestNotes = (mentor: User) => Notification.query(server.db).where({ user_id: mentor.id, type: 'request_created' });

  it('allows three pending requests per learner and mentor; the fourth is 409 too_many_pending_requests', async () => {
    const [learner, mentor, other] = [await buildLearner(server.db), await buildMentor(server.db), await buildMentor(server.db)];
    for (let i = 0; i < 3; i++) expect((await ask(learner, mentor, `Topic ${i}`)).status).to.equal(201);
    const fourth = await ask(learner, mentor, 'Topic 3');
    expect(fourth.status).to.equal(409);
    expect(fourth.body.code).to.equal('too_many_pending_requests');
    expect(fourth.body.detail).to.include('3 pending requests');
    expect(await requestNotes(mentor)).to.have.length(3);

    // Another mentor is another pair; a withdrawn request frees a place.
    expect((await ask(learner, other)).status).to.equal(201);
    const [first] = await MentorRequest.query(server.db).where({ learner_id: learner.id, mentor_id: mentor.id }).orderBy('id');
    expect((await server.api.post(`/api/requests/${first!.id}/cancel/`, undefined, auth(learner))).status).to.equal(200);
    expect((await ask(learner, mentor, 'Again')).status).to.equal(201);
  });

  it('keeps the pending limit under concurrency: 10 parallel requests give exactly three', async () => {
    const [learner, mentor] = [await buildLearner(server.db), await buildMentor(server.db)];
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => ask(learner, mentor, `Parallel ${i}`)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).to.deep.equal([201, 201, 201, 409, 409, 409, 409, 409, 409, 409]);
    expect(await MentorRequest.query(server.db).where({ learner_id: learner.id, mentor_id: mentor.id, status: 'pending' })).to.have.length(3);
    expect(await requestNotes(mentor)).to.have.length(3);
  });

  it('answers 300 requests in a burst from one learner with at most 20 processed and the rest 429 + Retry-After', async function () {
    this.timeout(60_000);
    const [learner, mentor, bystander] = [await buildLearner(server.db), await buildMentor(server.db), await buildLearner(server.db)];
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => ask(learner, mentor, `Spam ${i}`)));
    const count = (status: number) => answers.filter((r) => r.status === status).length;
    expect([count(201), count(409), count(429)]).to.deep.equal([3, 17, 280]);
    for (const limited of answers.filter((r) => r.status === 429)) {
      expect(limited.body.code).to.equal('rate_limited');
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).to.be.within(1, 600);
    }
    expect(await requestNotes(mentor)).to.have.length(3);
    // The limit is per learner: someone else asking the same mentor is not affected.
    expect((await ask(bystander, mentor)).status).to.equal(201);
  });
});
