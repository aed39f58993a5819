/**
 * The whole mentoring story through HTTP only (every response checked against openapi.yaml):
 * register → create and publish → book → notifications → ready → start → room → complete → feedback →
 * earnings in the right month → payout requested and approved by an admin → analytics.
 * Plus the request workflow: accept with a slot, decline with a reason.
 */
import { expect } from 'chai';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { attend } from '../helpers/attend.ts';
import { buildAdmin, PASSWORD } from '../helpers/factories.ts';
import { monthKey } from '../../src/lib/time.ts';

describe('the full story, through HTTP only', function () {
  this.timeout(60000);
  let server: TestServer;
  before(async () => {
    server = await getTestServer();
  });
  after(() => server.close());

  async function signUp(username: string, role: 'mentor' | 'learner', extra: Record<string, unknown> = {}) {
    const password = `${username}-password`;
    const reg = await server.api.post('/api/auth/register/', { username, email: `${username}@example.test`, password, role, ...extra });
    expect(reg.status).to.equal(201);
    const tok = await server.api.post('/api/auth/token/', { username, password });
    expect(tok.status).to.equal(200);
    return { id: reg.body.id as number, token: tok.body.access as string };
  }

  const types = async (token: string) => {
    const res = await server.api.get('/api/notifications/', { token });
    expect(res.status).to.equal(200);
    return { types: res.body.results.map((n: { type: string }) => n.type) as string[], unread: res.body.unread_count as number, items: res.body.results };
  };

  it('runs from publishing a session to an approved payout, and analytics reflect it', async () => {
    const mentor = await signUp('story_mentor', 'mentor', { timezone: 'Asia/Tokyo', first_name: 'Mia' });
    const learner = await signUp('story_learner', 'learner', { first_name: 'Leo' });
    const adminUser = await buildAdmin(server.db, { username: 'story_admin' });
    const adminTok = (await server.api.post('/api/auth/token/', { username: adminUser.username, password: PASSWORD })).body.access;

    // The mentor creates a draft starting in 10 minutes and publishes it.
    const start = new Date(Date.now() + 10 * 60_000);
    const created = await server.api.post(
      '/api/sessions/',
      { title: 'Async Rust, gently', description: 'Futures and executors', start_time: start.toISOString(), duration: 45, price: '49.50', capacity: 3 },
      { token: mentor.token },
    );
    expect(created.status).to.equal(201);
    expect(created.body).to.include({ status: 'draft', price: '49.50', participant_count: 0 });
    const id = created.body.id as number;
    const published = await server.api.post(`/api/sessions/${id}/publish/`, undefined, { token: mentor.token });
    expect(published.status).to.equal(200);
    expect(published.body.status).to.equal('scheduled');

    // The learner finds it among open sessions and books it.
    const open = await server.api.get('/api/sessions/', { token: learner.token });
    expect(open.body.results.map((s: { id: number }) => s.id)).to.include(id);
    const booked = await server.api.post(`/api/sessions/${id}/book/`, undefined, { token: learner.token });
    expect(booked.status).to.equal(201);
    expect(booked.body).to.include({ status: 'booked', payment_amount: '49.50', learner: learner.id, session: id });
    const bookingId = booked.body.id as number;
    const mentorNotes = await types(mentor.token);
    expect(mentorNotes.types).to.include('booking_created');
    expect(mentorNotes.unread).to.be.greaterThan(0);

    // Readiness: mentor, then learner; the learner was told the mentor is ready.
    const mReady = await server.api.post(`/api/sessions/${id}/ready/`, undefined, { token: mentor.token });
    expect(mReady.status).to.equal(200);
    expect(mReady.body).to.include({ mentor_ready: true, can_start: false });
    expect((await types(learner.token)).types).to.include('mentor_ready');
    const lReady = await server.api.post(`/api/bookings/${bookingId}/ready/`, undefined, { token: learner.token });
    expect(lReady.status).to.equal(200);
    expect(lReady.body.learner_ready_at).to.be.a('string');
    expect((await types(mentor.token)).types).to.include('learner_ready');
    const view = await server.api.get(`/api/sessions/${id}/`, { token: learner.token });
    expect(view.body).to.include({ can_start: true, ready_learner_count: 1, my_booking: bookingId });

    // Start (before the scheduled minute: readiness is what counts), then the learner joins.
    const started = await server.api.post(`/api/sessions/${id}/start/`, undefined, { token: mentor.token });
    expect(started.status).to.equal(200);
    expect(started.body.status).to.equal('in_progress');
    const joined = await server.api.post(`/api/sessions/${id}/start/`, undefined, { token: learner.token });
    expect(joined.status).to.equal(200);
    // …and comes into the room (over /ws): that is what makes the booking `attended`.
    await attend(server, learner.token, id);

    // Feedback is refused until the session is completed.
    const early = await server.api.post(`/api/sessions/${id}/feedback/`, { rating: 5 }, { token: learner.token });
    expect(early.status).to.equal(409);
    const completed = await server.api.post(`/api/sessions/${id}/complete/`, undefined, { token: mentor.token });
    expect(completed.status).to.equal(200);
    expect(completed.body.status).to.equal('completed');
    const booking = await server.api.get(`/api/bookings/${bookingId}/`, { token: learner.token });
    expect(booking.body.status).to.equal('attended');

    const fb = await server.api.post(`/api/sessions/${id}/feedback/`, { rating: 4, comment: 'Clear and calm.' }, { token: learner.token });
    expect(fb.status).to.equal(201);
    expect((await server.api.post(`/api/sessions/${id}/feedback/`, { rating: 5 }, { token: learner.token })).status).to.equal(409);
    expect((await types(mentor.token)).types).to.include('feedback_received');

    // Earnings: 49.50 earned this month (in the mentor's timezone), all of it available.
    const earnings = await server.api.get('/api/earnings/', { token: mentor.token });
    expect(earnings.status).to.equal(200);
    expect(earnings.body).to.include({ total_earned: '49.50', available: '49.50', upcoming: '0.00', paid_out: '0.00', timezone: 'Asia/Tokyo' });
    const thisMonth = monthKey(start, 'Asia/Tokyo');
    const month = earnings.body.monthly.find((m: { month: string }) => m.month === thisMonth);
    expect(month).to.include({ earned: '49.50', sessions: 1 });
    expect(earnings.body.monthly).to.have.length(12);

    // Payout: requested by the mentor, approved and paid from the admin API.
    const payout = await server.api.post('/api/payouts/', { amount: '40.00' }, { token: mentor.token, headers: { 'Idempotency-Key': 'story-1' } });
    expect(payout.status).to.equal(201);
    const replay = await server.api.post('/api/payouts/', { amount: '40.00' }, { token: mentor.token, headers: { 'Idempotency-Key': 'story-1' } });
    expect(replay.status).to.equal(200);
    expect(replay.body.id).to.equal(payout.body.id);
    expect((await server.api.post('/api/payouts/', { amount: '10.00' }, { token: mentor.token })).status).to.equal(409);
    const approved = await server.api.post(`/api/admin/payouts/${payout.body.id}/approve/`, { note: 'ok' }, { token: adminTok });
    expect(approved.status).to.equal(200);
    expect(approved.body.status).to.equal('approved');
    expect((await types(mentor.token)).types).to.include('payout_approved');
    const paid = await server.api.post(`/api/admin/payouts/${payout.body.id}/mark-paid/`, undefined, { token: adminTok });
    expect(paid.body.status).to.equal('paid');
    const after = await server.api.get('/api/earnings/', { token: mentor.token });
    expect(after.body).to.include({ total_earned: '49.50', available: '9.50', paid_out: '40.00', pending_payouts: '0.00' });

    // Analytics reflect all of it (the range covers the session's scheduled start, later today).
    const to = encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString());
    const analytics = await server.api.get(`/api/analytics/?to=${to}`, { token: mentor.token });
    expect(analytics.status).to.equal(200);
    expect(analytics.body).to.include({ students: 1, total_sessions: 1, average_rating: 4, feedback_count: 1, attendance_rate: 1, cancellation_rate: 0 });
    expect(analytics.body.sessions_by_status.completed).to.equal(1);
    expect(analytics.body.rating_distribution['4']).to.equal(1);
    const stats = await server.api.get('/api/admin/stats/', { token: adminTok });
    expect(stats.body.gross_revenue).to.equal('49.50');
  });

  it('accepting a request creates the session and the booking together; declining tells the learner why', async () => {
    const mentor = await signUp('req_mentor', 'mentor');
    const learner = await signUp('req_learner', 'learner');
    const when = [new Date(Date.now() + 3 * 86_400_000).toISOString(), new Date(Date.now() + 4 * 86_400_000).toISOString()];
    const asked = await server.api.post('/api/requests/', { mentor: mentor.id, topic: 'Career advice', message: 'Switching to backend', preferred_times: when }, { token: learner.token });
    expect(asked.status).to.equal(201);
    expect((await types(mentor.token)).items[0]).to.include({ type: 'request_created', link: '/dashboard#requests' });
    const pending = await server.api.get('/api/requests/', { token: mentor.token });
    expect(pending.body.results.map((r: { id: number }) => r.id)).to.include(asked.body.id);

    const accepted = await server.api.post(`/api/requests/${asked.body.id}/accept/`, { start_time: when[1], duration: 30 }, { token: mentor.token });
    expect(accepted.status).to.equal(200);
    expect(accepted.body.status).to.equal('accepted');
    const sessionId = accepted.body.session as number;
    const session = await server.api.get(`/api/sessions/${sessionId}/`, { token: learner.token });
    expect(session.body).to.include({ status: 'scheduled', capacity: 1, participant_count: 1, title: 'Career advice', duration: 30 });
    expect(session.body.my_booking).to.be.a('number');
    expect((await types(learner.token)).types).to.include('request_accepted');

    const second = await server.api.post('/api/requests/', { mentor: mentor.id, topic: 'Code review', preferred_times: [when[0]] }, { token: learner.token });
    const declined = await server.api.post(`/api/requests/${second.body.id}/decline/`, { reason: 'Fully booked this month' }, { token: mentor.token });
    expect(declined.status).to.equal(200);
    expect(declined.body).to.include({ status: 'declined', decline_reason: 'Fully booked this month' });
    const note = (await types(learner.token)).items.find((n: { type: string }) => n.type === 'request_declined');
    expect(note.message).to.include('Fully booked this month');
    expect((await server.api.post(`/api/requests/${second.body.id}/accept/`, { start_time: when[0] }, { token: mentor.token })).status).to.equal(409);
  });
});
