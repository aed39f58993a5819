import crypto from 'node:crypto';
import { expect } from 'chai';
import { buildLearner, tokenFor } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';

describe('GET /api/rtc/config/', () => {
  describe('with nothing configured', () => {
    let server: TestServer;
    before(async () => {
      server = await getTestServer();
    });
    after(() => server.close());

    it('refuses anonymous callers', async () => {
      expect((await server.api.get('/api/rtc/config/')).status).to.equal(401);
    });

    it('answers no ICE servers (peers on one network need none)', async () => {
      const res = await server.api.get('/api/rtc/config/', { token: tokenFor(server, await buildLearner(server.db)) });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ iceServers: [], ttl: null });
      expect(res.headers.get('cache-control')).to.equal('no-store');
    });
  });

  describe('with STUN and TURN', () => {
    const secret = 'turn-shared-secret';
    let server: TestServer;
    before(async () => {
      server = await getTestServer({
        STUN_URLS: 'stun:stun1.example.org:3478,stun:stun2.example.org:3478',
        TURN_URLS: 'turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349',
        TURN_SECRET: secret,
        TURN_TTL_SECONDS: '600',
      });
    });
    after(() => server.close());

    it('hands out time-limited TURN REST API credentials for the caller', async () => {
      const learner = await buildLearner(server.db);
      const before = Math.floor(Date.now() / 1000);
      const res = await server.api.get('/api/rtc/config/', { token: tokenFor(server, learner) });
      expect(res.status).to.equal(200);
      const [stun, turn] = res.body.iceServers;
      expect(stun).to.deep.equal({ urls: ['stun:stun1.example.org:3478', 'stun:stun2.example.org:3478'] });
      expect(turn.urls).to.deep.equal(['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349']);
      const [expiry, user] = turn.username.split(':').map(Number);
      expect(user).to.equal(learner.id);
      expect(expiry).to.be.within(before + 600, Math.floor(Date.now() / 1000) + 600);
      expect(turn.credential).to.equal(crypto.createHmac('sha1', secret).update(turn.username).digest('base64'));
      expect(res.body.ttl).to.equal(600);
    });
  });
});
