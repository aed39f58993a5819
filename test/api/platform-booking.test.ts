/**
 * A host platform's `booking` user token: exactly what `<mentor-booking>` and `<notification-bell>`
 * call for a learner (the mentor directory, a mentor's sessions, booking and cancelling, the
 * learner's requests, the profile, notifications; `/ws` notifications and `session_{id}`), and
 * nothing else (sessions' management, money, rooms and chat, admin).
 */
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import type { User } from '../../src/models/index.ts';
import { buildAdmin, buildSession, tokenFor } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { TestSocket } from '../realtime/client.ts';

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe('platform integration: booking tokens', () => {
  let server: TestServer;
  let admin: User;
  let key: string;
  const sockets: TestSocket[] = [];
  before(async () => {
    server = await getTestServer();
    admin = await buildAdmin(server.db);
    const created = await server.api.post(
      '/api/admin/api-keys/',
      { name: 'Booking host', scopes: ['platform:users', 'platform:tokens'] },
      { token: tokenFor(server, admin) },
    );
    expect(created.status).to.equal(201);
    key = created.body.key;
  });
  after(async () => {
    for (const s of sockets) await s.close();
    await server.close();
  });

  const provision = async (externalId: string, body: Record<string, unknown>) => {
    const res = await server.api.put(`/api/platform/users/${externalId}/`, body, { token: key });
    expect(res.status, res.text).to.equal(201);
    return res.body as { id: number };
  };
  const mint = (externalId: string, body: Record<string, unknown>) =>
    server.api.post(`/api/platform/users/${externalId}/tokens/`, body, { token: key });
  const open = async (token: string) => {
    const socket = await TestSocket.open(server.url, token);
    sockets.push(socket);
    return socket;
  };

  it('a learner lists mentors and their sessions, books, follows the session, asks, cancels and reads notifications', async () => {
    const mentor = await provision('bk-mentor', { role: 'mentor', email: 'bk-mentor@acme.example', first_name: 'Grace' });
    const learner = await provision('bk-learner', { role: 'learner', email: 'bk-learner@acme.example', first_name: 'Ada' });
    const mentorFull = (await mint('bk-mentor', { scope: 'full' })).body.access as string;
    const session = await buildSession(server.db, { mentor_id: mentor.id, capacity: 2, title: 'Booking scope class' });
    const draft = await buildSession(server.db, { mentor_id: mentor.id, status: 'draft' });

    const minted = await mint('bk-learner', { scope: 'booking' });
    expect(minted.status).to.equal(201);
    expect(minted.body).to.include({ token_type: 'Bearer', expires_in: 600, scope: 'booking' });
    expect(minted.body).to.not.have.property('session');
    const token: string = minted.body.access;
    expect(jwt.decode(token)).to.include({ sub: String(learner.id), scope: 'booking' });

    // What the widget loads first: the profile, the directory, a mentor's page and sessions.
    expect((await server.api.get('/api/profile/', { token })).body).to.include({ id: learner.id, role: 'learner' });
    const directory = await server.api.get('/api/mentors/', { token });
    expect(directory.status).to.equal(200);
    expect(directory.body.results.map((m: { id: number }) => m.id)).to.include(mentor.id);
    expect((await server.api.get(`/api/mentors/${mentor.id}/`, { token })).body).to.include({ id: mentor.id, first_name: 'Grace' });
    const openSessions = await server.api.get(`/api/sessions/?mentor=${mentor.id}&scope=open&page_size=50`, { token });
    expect(openSessions.status).to.equal(200);
    expect(openSessions.body.results.map((s: { id: number }) => s.id)).to.deep.equal([session.id]);

    // /ws: the own notifications (joined on connect) and sessions the learner may see; no rooms.
    const socket = await open(token);
    expect(socket.welcome.channels).to.deep.equal([`notifications_${learner.id}`]);
    expect(await socket.subscribe(`session_${session.id}`)).to.include({ type: 'subscribed', channel: `session_${session.id}` });
    expect(await socket.subscribe(`session_${draft.id}`)).to.include({ type: 'error', code: 'not_found' });
    expect(await socket.subscribe(`room_${session.id}`)).to.include({ type: 'error', code: 'insufficient_scope' });
    expect(await socket.subscribe(`notifications_${mentor.id}`)).to.include({ type: 'error', code: 'forbidden' });

    // Book a seat: the session channel hears it; the booking is listed.
    const booked = await server.api.post(`/api/sessions/${session.id}/book/`, undefined, { token });
    expect(booked.status).to.equal(201);
    expect(await socket.next((m) => m.type === 'participant_count' && m.change === 'booked')).to.include({ session: session.id, participant_count: 1 });
    const booked2 = await server.api.get(`/api/sessions/?mentor=${mentor.id}&scope=booked&status=scheduled&page_size=50`, { token });
    expect(booked2.body.results.map((s: { id: number }) => s.id)).to.deep.equal([session.id]);
    const bookings = await server.api.get('/api/bookings/?upcoming=true&status=booked&page_size=100', { token });
    expect(bookings.status).to.equal(200);
    expect(bookings.body.results.map((b: { id: number }) => b.id)).to.deep.equal([booked.body.id]);

    // Requests: ask, list, withdraw one; the mentor declining another reaches the bell live.
    const ask = (topic: string) =>
      server.api.post('/api/requests/', { mentor: mentor.id, topic, message: '', preferred_times: [inDays(4)] }, { token });
    const first = await ask('Code review');
    const second = await ask('Career advice');
    expect([first.status, second.status]).to.deep.equal([201, 201]);
    const requests = await server.api.get('/api/requests/?status=all&page_size=50', { token });
    expect(requests.body.results.map((r: { id: number }) => r.id)).to.have.members([first.body.id, second.body.id]);
    expect((await server.api.post(`/api/requests/${first.body.id}/cancel/`, undefined, { token })).body).to.include({ status: 'cancelled' });
    const declined = await server.api.post(`/api/requests/${second.body.id}/decline/`, { reason: 'Busy that week' }, { token: mentorFull });
    expect(declined.status).to.equal(200);
    const pushed = await socket.next('notification');
    expect(pushed).to.include({ channel: `notifications_${learner.id}`, unread_count: 1 });

    // The bell's operations.
    const notifications = await server.api.get('/api/notifications/?page_size=20', { token });
    expect(notifications.status).to.equal(200);
    expect(notifications.body.results.map((n: { id: number }) => n.id)).to.include(pushed.notification.id);
    const read = await server.api.put(`/api/notifications/${pushed.notification.id}/`, { read_status: true }, { token });
    expect(read.status).to.equal(200);
    expect(read.body).to.include({ read_status: true });
    expect((await server.api.post('/api/notifications/read-all/', undefined, { token })).status).to.equal(200);

    // Cancel the booking: the session channel hears that too.
    const cancelled = await server.api.post(`/api/bookings/${booked.body.id}/cancel/`, undefined, { token });
    expect(cancelled.status).to.equal(200);
    expect(cancelled.body).to.include({ status: 'cancelled' });
    expect(await socket.next((m) => m.type === 'participant_count' && m.change === 'cancelled')).to.include({ participant_count: 0 });
  });

  it('anything else is 403 insufficient_scope, and a socket renewal keeps the booking scope', async () => {
    const mentor = await provision('bk-mentor-2', { role: 'mentor', email: 'bk-mentor-2@acme.example' });
    await provision('bk-learner-2', { role: 'learner', email: 'bk-learner-2@acme.example' });
    const session = await buildSession(server.db, { mentor_id: mentor.id });
    const token = (await mint('bk-learner-2', { scope: 'booking' })).body.access as string;

    const sessionBody = { title: 'Not mine to make', description: '', start_time: inDays(3), duration: 60, price: null, capacity: 2 };
    for (const [method, path, body] of [
      ['POST', '/api/sessions/', sessionBody],
      ['GET', `/api/sessions/${session.id}/`],
      ['GET', `/api/sessions/${session.id}/chat/`],
      ['GET', `/api/sessions/${session.id}/feedback/`],
      ['POST', `/api/sessions/${session.id}/ready/`],
      ['GET', '/api/payouts/'],
      ['POST', '/api/payouts/', { amount: '1.00' }],
      ['GET', '/api/earnings/'],
      ['GET', '/api/analytics/'],
      ['PATCH', '/api/profile/', { first_name: 'Eve' }],
      ['GET', '/api/rtc/config/'],
      ['GET', '/api/admin/users/'],
      ['GET', '/api/admin/stats/'],
      ['POST', '/api/platform/users/bk-learner-2/tokens/', { scope: 'full' }],
    ] as const) {
      const res = await server.api.request(method, path, { token, body });
      expect(res.status, `${method} ${path}`).to.equal(403);
      expect(res.body.code, `${method} ${path}`).to.equal('insufficient_scope');
      expect(res.headers.get('www-authenticate'), `${method} ${path}`).to.match(/^Bearer error="insufficient_scope"/);
      expect(res.headers.get('www-authenticate'), `${method} ${path}`).to.not.contain('booking');
    }
    // Where it is accepted, a refusal of another token names it.
    const dashboard = (await mint('bk-learner-2', { scope: 'dashboard' })).body.access as string;
    const refused = await server.api.get('/api/mentors/', { token: dashboard });
    expect(refused.status).to.equal(403);
    expect(refused.headers.get('www-authenticate')).to.equal('Bearer error="insufficient_scope", scope="booking"');
    expect(refused.body.detail).to.equal('This operation needs a full user token, or a `booking` user token.');

    // A booking token takes no session, and cannot widen (or narrow) a socket's scope on renewal.
    const withSession = await mint('bk-learner-2', { scope: 'booking', session: session.id });
    expect(withSession.status).to.equal(400);
    expect(withSession.body.errors[0]).to.include({ path: 'session' });
    const socket = await open(token);
    const renewed = (await mint('bk-learner-2', { scope: 'booking' })).body.access as string;
    expect(await socket.request({ type: 'auth', token: renewed })).to.include({ type: 'authenticated' });
    const full = (await mint('bk-learner-2', { scope: 'full' })).body.access as string;
    expect(await socket.request({ type: 'auth', token: full })).to.include({ type: 'error', code: 'insufficient_scope' });
    expect(await socket.request({ type: 'auth', token: dashboard })).to.include({ type: 'error', code: 'insufficient_scope' });
    expect(await socket.subscribe(`room_${session.id}`)).to.include({ type: 'error', code: 'insufficient_scope' });
  });
});
