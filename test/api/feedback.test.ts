import { expect } from 'chai';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildAdmin, buildBooking, buildLearner, buildMentor, buildSession, tokenFor } from '../helpers/factories.ts';
import { addMinutes } from '../../src/lib/time.ts';
import { Feedback, Notification, type Session, type SessionStatus, type User } from '../../src/models/index.ts';

const fieldsOf = (body: { errors?: Array<{ path: string }> }) => (body.errors ?? []).map((e) => e.path);

describe('feedback', () => {
  let server: TestServer;
  let mentor: User;
  let otherMentor: User;
  let admin: User;
  let outsider: User;
  const token = (u: User) => tokenFor(server, u);

  before(async () => {
    server = await getTestServer();
    mentor = await buildMentor(server.db);
    otherMentor = await buildMentor(server.db);
    admin = await buildAdmin(server.db);
    outsider = await buildLearner(server.db);
  });
  after(() => server.close());

  /** A session in `status` with `learners` booked on it (capacity to match). */
  async function sessionWith(status: SessionStatus, learners: User[]): Promise<Session> {
    const start = status === 'completed' ? addMinutes(new Date(), -120) : addMinutes(new Date(), 24 * 60);
    const session = await buildSession(server.db, { mentor_id: mentor.id, status, start_time: start, capacity: Math.max(1, learners.length) });
    for (const learner of learners) await buildBooking(server.db, { session, learner_id: learner.id, status: status === 'completed' ? 'attended' : 'booked' });
    return session;
  }

  const url = (s: Session) => `/api/sessions/${s.id}/feedback/`;

  describe('POST /api/sessions/{id}/feedback/', () => {
    it('records a booked learner’s rating of a completed session and notifies the mentor', async () => {
      const learner = await buildLearner(server.db, { first_name: 'Lea', last_name: 'Rner' });
      const session = await sessionWith('completed', [learner]);
      const res = await server.api.post(url(session), { rating: 5, comment: 'Superb' }, { token: token(learner) });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ session: session.id, learner: learner.id, rating: 5, comment: 'Superb' });
      expect(res.body.learner_summary).to.include({ id: learner.id, first_name: 'Lea' });
      const note = (await Notification.query(server.db).where('user_id', mentor.id)).find((n) => n.data.feedback === res.body.id)!;
      expect(note).to.include({ type: 'feedback_received', link: `/dashboard#sessions/${session.id}` });
      expect(note.message).to.include('Lea Rner').and.include('5/5');
    });

    it('takes the comment as optional or null', async () => {
      const [a, b] = [await buildLearner(server.db), await buildLearner(server.db)];
      const session = await sessionWith('completed', [a, b]);
      expect((await server.api.post(url(session), { rating: 1 }, { token: token(a) })).body.comment).to.equal(null);
      expect((await server.api.post(url(session), { rating: 3, comment: null }, { token: token(b) })).body.comment).to.equal(null);
    });

    const refused: Array<[string, Record<string, unknown>, string]> = [
      ['a rating of 0', { rating: 0 }, 'rating'],
      ['a rating of 6', { rating: 6 }, 'rating'],
      ['a fractional rating', { rating: 4.5 }, 'rating'],
      ['a rating as a string', { rating: '5' }, 'rating'],
      ['no rating', { comment: 'hi' }, 'rating'],
      ['a comment over 2000 characters', { rating: 4, comment: 'x'.repeat(2001) }, 'comment'],
      ['an unknown field', { rating: 4, learner: 1 }, 'learner'],
    ];
    for (const [what, body, field] of refused) {
      it(`refuses ${what} (400 naming ${field}) and writes nothing`, async () => {
        const learner = await buildLearner(server.db);
        const session = await sessionWith('completed', [learner]);
        const res = await server.api.post(url(session), body, { token: token(learner) });
        expect(res.status).to.equal(400);
        expect(fieldsOf(res.body)).to.deep.equal([field]);
        expect(await Feedback.query(server.db).where('session_id', session.id)).to.deep.equal([]);
      });
    }

    it('answers 409 not_attended to a learner who never came into the room (no_show), and stores nothing', async () => {
      const [came, absent] = [await buildLearner(server.db), await buildLearner(server.db)];
      const session = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: addMinutes(new Date(), -120), started_at: addMinutes(new Date(), -120), capacity: 2 });
      await buildBooking(server.db, { session, learner_id: came.id, status: 'attended' });
      await buildBooking(server.db, { session, learner_id: absent.id, status: 'no_show' });
      const res = await server.api.post(url(session), { rating: 1, comment: 'never there' }, { token: token(absent) });
      expect(res.status).to.equal(409);
      expect(res.body.code).to.equal('not_attended');
      expect(await Feedback.query(server.db).where('session_id', session.id)).to.deep.equal([]);
      expect((await server.api.post(url(session), { rating: 5 }, { token: token(came) })).status).to.equal(201);
    });

    it('answers 409 for a session that is not completed yet', async () => {
      const learner = await buildLearner(server.db);
      const session = await sessionWith('scheduled', [learner]);
      const res = await server.api.post(url(session), { rating: 5 }, { token: token(learner) });
      expect(res.status).to.equal(409);
      expect(res.body.code).to.equal('session_not_completed');
    });

    it('answers 409 for a second rating', async () => {
      const learner = await buildLearner(server.db);
      const session = await sessionWith('completed', [learner]);
      expect((await server.api.post(url(session), { rating: 4 }, { token: token(learner) })).status).to.equal(201);
      const again = await server.api.post(url(session), { rating: 1 }, { token: token(learner) });
      expect(again.status).to.equal(409);
      expect(again.body.code).to.equal('feedback_exists');
      expect((await Feedback.query(server.db).where('session_id', session.id)).map((f) => f.rating)).to.deep.equal([4]);
    });

    it('lets exactly one of 5 concurrent ratings through', async () => {
      const learner = await buildLearner(server.db);
      const session = await sessionWith('completed', [learner]);
      const answers = await Promise.all(
        [1, 2, 3, 4, 5].map((rating) => server.api.post(url(session), { rating }, { token: token(learner) })),
      );
      expect(answers.map((a) => a.status).sort()).to.deep.equal([201, 409, 409, 409, 409]);
      expect(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'feedback_exists')).to.equal(true);
      expect(await Feedback.query(server.db).where('session_id', session.id)).to.have.length(1);
      const notes = (await Notification.query(server.db).where({ user_id: mentor.id, type: 'feedback_received' })).filter((n) => n.data.session === session.id);
      expect(notes).to.have.length(1);
    });

    it('is for a learner with a live booking: 403 for the owner, an admin and a learner whose booking was cancelled', async () => {
      const [booked, cancelled] = [await buildLearner(server.db), await buildLearner(server.db)];
      const session = await sessionWith('completed', [booked]);
      await buildBooking(server.db, { session, learner_id: cancelled.id, status: 'cancelled', cancelled_at: new Date() });
      for (const who of [mentor, admin, cancelled]) {
        expect((await server.api.post(url(session), { rating: 5 }, { token: token(who) })).status).to.equal(403);
      }
      expect(await Feedback.query(server.db).where('session_id', session.id)).to.deep.equal([]);
    });

    it('answers 404 to another mentor, an unrelated learner and for a missing session; 401 anonymously', async () => {
      const learner = await buildLearner(server.db);
      const session = await sessionWith('completed', [learner]);
      for (const who of [otherMentor, outsider]) {
        const res = await server.api.post(url(session), { rating: 5 }, { token: token(who) });
        expect(res.status).to.equal(404);
        expect(res.text).not.to.include(session.title);
      }
      expect((await server.api.post('/api/sessions/999999/feedback/', { rating: 5 }, { token: token(learner) })).status).to.equal(404);
      expect((await server.api.post(url(session), { rating: 5 })).status).to.equal(401);
    });
  });

  describe('GET /api/sessions/{id}/feedback/', () => {
    let session: Session;
    let first: User;
    let second: User;
    let silent: User;

    before(async () => {
      [first, second, silent] = [await buildLearner(server.db), await buildLearner(server.db), await buildLearner(server.db)];
      session = await sessionWith('completed', [first, second, silent]);
      for (const [learner, rating] of [[first, 5], [second, 2]] as const) {
        const res = await server.api.post(url(session), { rating, comment: `from ${learner.username}` }, { token: token(learner) });
        expect(res.status).to.equal(201);
      }
    });

    const ratings = (res: { body: { results: Array<{ rating: number }> } }) => res.body.results.map((f) => f.rating);

    it('shows the owning mentor and admins every entry, newest first', async () => {
      for (const who of [mentor, admin]) {
        const res = await server.api.get(url(session), { token: token(who) });
        expect(res.status).to.equal(200);
        expect(res.body.count).to.equal(2);
        expect(ratings(res)).to.deep.equal([2, 5]);
      }
    });

    it('shows a booked learner only their own entry, and an empty page when they left none', async () => {
      const own = await server.api.get(url(session), { token: token(first) });
      expect(own.body.results.map((f: { learner: number }) => f.learner)).to.deep.equal([first.id]);
      const none = await server.api.get(url(session), { token: token(silent) });
      expect(none.status).to.equal(200);
      expect(none.body).to.deep.include({ count: 0, results: [] });
    });

    it('gives a learner who can see an open session an empty page', async () => {
      const open = await sessionWith('scheduled', []);
      const res = await server.api.get(url(open), { token: token(outsider) });
      expect(res.status).to.equal(200);
      expect(res.body.count).to.equal(0);
    });

    it('paginates', async () => {
      const res = await server.api.get(`${url(session)}?page_size=1`, { token: token(mentor) });
      expect(res.body.count).to.equal(2);
      expect(res.body.results).to.have.length(1);
      expect(res.body.next).to.match(/page=2/);
    });

    it('answers 404 to another mentor, an unrelated learner and for a missing session; 401 anonymously', async () => {
      for (const who of [otherMentor, outsider]) {
        const res = await server.api.get(url(session), { token: token(who) });
        expect(res.status).to.equal(404);
        expect(res.text).not.to.include('from ');
      }
      expect((await server.api.get('/api/sessions/999999/feedback/', { token: token(mentor) })).status).to.equal(404);
      expect((await server.api.get(url(session))).status).to.equal(401);
    });
  });
});
