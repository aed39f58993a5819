import { expect } from 'chai';
import { buildAdmin, buildLearner, buildMentor, buildNotification, buildSession, tokenFor } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { TestSocket } from './client.ts';
import { buildClassroom } from './support.ts';

describe('realtime: notifications and session channels', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer();
  });
  after(() => server.close());

  const open = (user: Parameters<typeof tokenFor>[1]) => TestSocket.open(server.url, tokenFor(server, user));

  describe('notifications_{user}', () => {
    it('pushes a new notification in the REST shape, with the unread count', async () => {
      const mentor = await buildMentor(server.db);
      await buildNotification(server.db, { user_id: mentor.id, message: 'older' });
      const socket = await open(mentor);
      const notification = await buildNotification(server.db, { user_id: mentor.id, message: 'Fresh news', link: '/dashboard#requests' });
      server.bundle.deps.events.publish({ type: 'notification.created', notification });
      const push = await socket.next('notification');
      expect(push).to.include({ channel: `notifications_${mentor.id}`, unread_count: 2 });
      const listed = await server.api.get('/api/notifications/', { token: tokenFor(server, mentor) });
      expect(push.notification).to.deep.equal(listed.body.results[0]);
      await socket.close();
    });

    it('pushes the new unread count to every socket of the user when one device marks read', async () => {
      const learner = await buildLearner(server.db);
      const [first, second] = await Promise.all([buildNotification(server.db, { user_id: learner.id }), buildNotification(server.db, { user_id: learner.id })]);
      const tabs = await Promise.all([open(learner), open(learner)]);
      const token = tokenFor(server, learner);
      await server.api.put(`/api/notifications/${first!.id}/`, { read_status: true }, { token });
      for (const tab of tabs) expect(await tab.next('unread_count')).to.include({ unread_count: 1 });
      await server.api.post('/api/notifications/read-all/', undefined, { token });
      for (const tab of tabs) expect(await tab.next('unread_count')).to.include({ unread_count: 0 });
      expect(second).to.exist;
      await Promise.all(tabs.map((tab) => tab.close()));
    });

    it('is only its owner’s, and an unsubscribed socket stops receiving it', async () => {
      const [me, someone] = [await buildLearner(server.db), await buildLearner(server.db)];
      const socket = await open(me);
      const refused = await socket.subscribe(`notifications_${someone.id}`);
      expect(refused).to.include({ type: 'error', code: 'forbidden', channel: `notifications_${someone.id}` });
      expect(await socket.subscribe(`notifications_${me.id}`)).to.include({ type: 'subscribed' });
      const left = await socket.request({ type: 'unsubscribe', channel: `notifications_${me.id}` });
      expect(left).to.include({ type: 'unsubscribed', reason: 'requested' });
      const again = await socket.request({ type: 'unsubscribe', channel: `notifications_${me.id}` });
      expect(again).to.include({ type: 'error', code: 'not_subscribed' });
      const notification = await buildNotification(server.db, { user_id: me.id });
      server.bundle.deps.events.publish({ type: 'notification.created', notification });
      await socket.sync();
      expect(socket.unclaimed('notification')).to.deep.equal([]);
      await socket.close();
    });
  });

  describe('session_{id}', () => {
    it('learner books → the mentor gets the notification with unread +1 and every subscriber the count; cancel → −1', async () => {
      const { mentor, session, learners } = await buildClassroom(server, 1);
      const [watcher, booker] = [learners[0]!, await buildLearner(server.db)];
      const mentorTabs = await Promise.all([open(mentor), open(mentor)]);
      const listeners = [...mentorTabs, await open(watcher), await open(booker)];
      for (const socket of listeners) expect(await socket.subscribe(`session_${session.id}`)).to.include({ type: 'subscribed' });
      const unreadBefore = (await server.api.get('/api/notifications/', { token: tokenFor(server, mentor) })).body.unread_count;

      const booked = await server.api.post(`/api/sessions/${session.id}/book/`, undefined, { token: tokenFor(server, booker) });
      expect(booked.status).to.equal(201);
      for (const tab of mentorTabs) {
        const push = await tab.next('notification');
        expect(push.unread_count).to.equal(unreadBefore + 1);
        expect(push.notification).to.include({ type: 'booking_created' });
        expect(push.notification.data).to.deep.equal({ session: session.id, booking: booked.body.id });
      }
      for (const socket of listeners) {
        expect(await socket.next('participant_count')).to.deep.equal({
          type: 'participant_count',
          channel: `session_${session.id}`,
          session: session.id,
          change: 'booked',
          participant_count: 2,
          spots_left: 0,
        });
      }

      const cancelled = await server.api.post(`/api/bookings/${booked.body.id}/cancel/`, undefined, { token: tokenFor(server, booker) });
      expect(cancelled.status).to.equal(200);
      for (const tab of mentorTabs) {
        const push = await tab.next('notification');
        expect(push).to.include({ unread_count: unreadBefore + 2 });
        expect(push.notification).to.include({ type: 'booking_cancelled' });
      }
      for (const socket of listeners) {
        expect(await socket.next('participant_count')).to.include({ change: 'cancelled', participant_count: 1, spots_left: 1 });
      }
      await Promise.all(listeners.map((socket) => socket.close()));
    });

    it('pushes every change of the session in the REST shape', async () => {
      const { mentor, session } = await buildClassroom(server, 1);
      const socket = await open(mentor);
      await socket.subscribe(`session_${session.id}`);
      const token = tokenFor(server, mentor);
      const patched = await server.api.patch(`/api/sessions/${session.id}/`, { title: 'Live now: intro' }, { token });
      expect(patched.status).to.equal(200);
      const push = await socket.next('session_update');
      expect(push.change).to.equal('updated');
      expect(push.session).to.deep.equal({ ...patched.body, my_booking: null });
      await socket.close();
    });

    it('is open to whoever may see the session, and to nobody else', async () => {
      const mentor = await buildMentor(server.db);
      const draft = await buildSession(server.db, { mentor_id: mentor.id, status: 'draft' });
      const open_ = await buildSession(server.db, { mentor_id: mentor.id });
      const otherMentor = await open(await buildMentor(server.db));
      const learner = await open(await buildLearner(server.db));
      const admin = await open(await buildAdmin(server.db));
      expect(await otherMentor.subscribe(`session_${draft.id}`)).to.include({ type: 'error', code: 'not_found' });
      expect(await learner.subscribe(`session_${draft.id}`)).to.include({ type: 'error', code: 'not_found' });
      expect(await learner.subscribe('session_99999999')).to.include({ type: 'error', code: 'not_found' });
      expect(await learner.subscribe(`session_${open_.id}`)).to.include({ type: 'subscribed' });
      expect(await learner.subscribe(`session_${open_.id}`)).to.include({ type: 'subscribed' });
      expect(await admin.subscribe(`session_${draft.id}`)).to.include({ type: 'subscribed' });
      await Promise.all([otherMentor, learner, admin].map((socket) => socket.close()));
    });
  });

  it('closes every socket of a deactivated user with 4003', async () => {
    const admin = await buildAdmin(server.db);
    const learner = await buildLearner(server.db);
    const tabs = await Promise.all([open(learner), open(learner)]);
    const res = await server.api.patch(`/api/admin/users/${learner.id}/`, { is_active: false }, { token: tokenFor(server, admin) });
    expect(res.status).to.equal(200);
    for (const tab of tabs) expect((await tab.closed).code).to.equal(4003);
  });
});
