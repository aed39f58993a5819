import { Writable } from 'node:stream';
import { expect } from 'chai';
import { pino } from 'pino';
import { User } from '../../src/models/index.ts';
import { buildLearner, buildMentor, buildSession, tokenFor } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { refusal, TestSocket } from './client.ts';
import { accessTokenExpiringIn } from './support.ts';

describe('realtime: opening /ws', () => {
  let server: TestServer;
  const logLines: string[] = [];
  before(async () => {
    // Debug logs captured in memory, to check what the hub logs about connections.
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    server = await getTestServer(
      { CORS_ORIGINS: 'https://widgets.example.org', WS_MAX_CONNECTIONS_PER_USER: '2' },
      { logger: pino({ level: 'debug' }, sink) },
    );
  });
  after(() => server.close());

  it('opens with the bearer subprotocol, selects only "bearer" and starts with welcome', async () => {
    const mentor = await buildMentor(server.db);
    const token = tokenFor(server, mentor);
    const socket = await TestSocket.open(server.url, token);
    expect(socket.ws.protocol).to.equal('bearer');
    const { exp } = server.bundle.deps.tokens.verifyAccess(token);
    expect(socket.welcome).to.deep.include({ user: mentor.id, channels: [`notifications_${mentor.id}`] });
    expect(socket.welcome.expires_at).to.equal(new Date(exp * 1000).toISOString());
    await socket.close();
  });

  it('accepts ?token= as the fallback and never logs the token', async () => {
    const learner = await buildLearner(server.db);
    const token = tokenFor(server, learner);
    const socket = await TestSocket.open(server.url, token, { via: 'query' });
    expect(socket.ws.protocol).to.equal('');
    expect(socket.welcome.user).to.equal(learner.id);
    await socket.close();
    const log = logLines.join('');
    expect(log).to.include('websocket opened');
    expect(log).to.include('token=[REDACTED]');
    expect(log).not.to.include(token.split('.')[2]!);
  });

  it('refuses a missing, malformed, expired or refresh token with 401 before the handshake', async () => {
    const learner = await buildLearner(server.db);
    const refresh = server.bundle.deps.tokens.signRefresh(learner.id, 'jti', 'family');
    const cases: Array<[string | undefined, string]> = [
      [undefined, 'missing_token'],
      ['not-a-jwt', 'invalid_token'],
      [`${tokenFor(server, learner).slice(0, -3)}abc`, 'invalid_token'],
      [accessTokenExpiringIn(server, learner, -5), 'token_expired'],
      [refresh, 'invalid_token'],
    ];
    for (const [token, code] of cases) {
      for (const via of ['protocol', 'query'] as const) {
        const answer = await refusal(server.url, token, { via });
        expect(answer.status, `${code} via ${via}`).to.equal(401);
        expect(answer.body.code).to.equal(code);
        expect(answer.headers['www-authenticate']).to.equal('Bearer');
      }
    }
  });

  it('refuses a deactivated or deleted account with 401', async () => {
    const learner = await buildLearner(server.db);
    const token = tokenFor(server, learner);
    await User.query(server.db).findById(learner.id).patch({ is_active: false });
    const answer = await refusal(server.url, token);
    expect(answer).to.deep.include({ status: 401 });
    expect(answer.body.code).to.equal('account_unavailable');
    const ghost = await buildLearner(server.db);
    const ghostToken = tokenFor(server, ghost);
    await User.query(server.db).deleteById(ghost.id);
    expect((await refusal(server.url, ghostToken)).status).to.equal(401);
  });

  it('refuses a foreign Origin with 403; accepts none, its own and the allowlisted one', async () => {
    const mentor = await buildMentor(server.db);
    const token = tokenFor(server, mentor);
    const answer = await refusal(server.url, token, { origin: 'https://evil.example.com' });
    expect(answer.status).to.equal(403);
    expect(answer.body.code).to.equal('origin_not_allowed');
    // A foreign page learns nothing about the token either: the Origin is checked first.
    expect((await refusal(server.url, undefined, { origin: 'https://evil.example.com' })).status).to.equal(403);
    for (const origin of [undefined, server.url, 'https://widgets.example.org']) {
      const socket = await TestSocket.open(server.url, token, { origin });
      await socket.close();
    }
  });

  it('caps the open sockets of a user with 429 and frees the slot when one closes', async () => {
    const learner = await buildLearner(server.db);
    const token = tokenFor(server, learner);
    const first = await TestSocket.open(server.url, token);
    const second = await TestSocket.open(server.url, token);
    const answer = await refusal(server.url, token);
    expect(answer.status).to.equal(429);
    expect(answer.body.code).to.equal('too_many_connections');
    expect(answer.headers['retry-after']).to.equal('5');
    // Other users are not affected.
    const other = await TestSocket.open(server.url, tokenFor(server, await buildLearner(server.db)));
    await first.close();
    // The server forgets the socket when its own side of the close completes, which the client
    // cannot observe: retry a few handshakes (each one a real answer, no sleeping).
    let third: TestSocket | undefined;
    for (const deadline = Date.now() + 3000; !third && Date.now() < deadline; ) {
      third = await TestSocket.open(server.url, token).catch(() => undefined);
    }
    expect(third, 'the slot of the closed socket was never freed').to.be.instanceOf(TestSocket);
    await Promise.all([second.close(), third!.close(), other.close()]);
  });

  it('answers a plain GET /ws with 426 and other upgrade paths with 404', async () => {
    const plain = await server.api.get('/ws');
    expect(plain.status).to.equal(426);
    expect(plain.headers.get('upgrade')).to.equal('websocket');
    expect(plain.body.code).to.equal('upgrade_required');
    const mentor = await buildMentor(server.db);
    const elsewhere = await refusal(server.url, tokenFor(server, mentor), { path: '/socket' });
    expect(elsewhere.status).to.equal(404);
  });
});

describe('realtime: shutdown', () => {
  it('finishes pushes in flight, closes every socket with 1001 and refuses new ones with 503', async () => {
    const server = await getTestServer();
    try {
      const mentor = await buildMentor(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id });
      const token = tokenFor(server, mentor);
      const sockets = await Promise.all([TestSocket.open(server.url, token), TestSocket.open(server.url, token)]);
      await sockets[0]!.subscribe(`session_${session.id}`);
      // This push needs a database read: it is still being rendered when the shutdown starts.
      server.bundle.deps.events.publish({ type: 'session.changed', session, change: 'updated' });
      const closing = server.hub.close();
      const late = await refusal(server.url, token);
      expect(late.status).to.equal(503);
      expect((await sockets[0]!.next('session_update')).session.id).to.equal(session.id);
      for (const socket of sockets) expect((await socket.closed).code).to.equal(1001);
      await closing;
    } finally {
      await server.close();
    }
  });
});
