import { expect } from 'chai';
import { ChatMessage } from '../../src/models/index.ts';
import { buildLearner, buildMentor, tokenFor } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { TestSocket } from './client.ts';
import { accessTokenExpiringIn, buildClassroom } from './support.ts';

describe('realtime: protocol', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer({ WS_HEARTBEAT_MS: '100', WS_RATE_LIMIT: '20', WS_RATE_BURST: '40' });
  });
  after(() => server.close());

  async function openAs(user?: Awaited<ReturnType<typeof buildMentor>>): Promise<TestSocket> {
    return TestSocket.open(server.url, tokenFor(server, user ?? (await buildLearner(server.db))));
  }

  it('answers ping with pong, echoing the id as ref', async () => {
    const socket = await openAs();
    socket.send({ type: 'ping', id: 'p-1' });
    expect(await socket.next('pong')).to.deep.equal({ type: 'pong', ref: 'p-1' });
    socket.send({ type: 'ping' });
    expect(await socket.next('pong')).to.deep.equal({ type: 'pong' });
    await socket.close();
  });

  it('answers every malformed message with a typed error naming the problem, never silently', async () => {
    const socket = await openAs();
    const cases: Array<[string | Buffer, string | undefined, string]> = [
      ['{nope', undefined, 'not valid JSON'],
      ['[1,2]', undefined, 'JSON object'],
      [JSON.stringify({ type: 'shout', id: 'a' }), 'type', 'must be one of'],
      [JSON.stringify({ type: 'subscribe', id: 'b' }), 'channel', 'is required'],
      [JSON.stringify({ type: 'subscribe', id: 'c', channel: 'everything' }), 'channel', 'must match pattern'],
      [JSON.stringify({ type: 'ping', id: 'd', extra: true }), 'extra', 'is not an allowed field'],
      [JSON.stringify({ type: 'chat', id: 'e', channel: 'room_1', body: '' }), 'body', 'must NOT have fewer than 1 characters'],
      [Buffer.from('{"type":"ping"}'), undefined, 'Binary frames'],
    ];
    for (const [frame, path, text] of cases) {
      socket.ws.send(frame, { binary: Buffer.isBuffer(frame) });
      const error = await socket.next('error');
      expect(error.code, String(frame)).to.equal('invalid_message');
      expect(error.message).to.include(text);
      if (path) expect(error.errors.map((e: { path: string }) => e.path)).to.include(path);
      const id = typeof frame === 'string' && frame.startsWith('{"') ? JSON.parse(frame).id : undefined;
      expect(error.ref).to.equal(id);
    }
    await socket.sync();
    await socket.close();
  });

  it('closes with 1009 on a 100 KB message', async () => {
    const socket = await openAs();
    socket.send({ type: 'ping', id: 'x'.repeat(100 * 1024) });
    expect((await socket.closed).code).to.equal(1009);
  });

  it('throttles 500 messages sent at once, closes the flood with 1008 and keeps serving', async () => {
    const flooder = await openAs();
    for (let i = 0; i < 500; i++) flooder.send({ type: 'ping', id: `f${i}` });
    const limited = await flooder.next('error');
    expect(limited.code).to.equal('rate_limited');
    expect((await flooder.closed).code).to.equal(1008);
    const other = await openAs();
    await other.sync();
    expect((await server.api.get('/healthz')).status).to.equal(200);
    await other.close();
  });

  it('lets a client just over the rate continue after the error', async () => {
    const socket = await openAs();
    for (let i = 0; i < 45; i++) socket.send({ type: 'ping', id: `q${i}` });
    expect((await socket.next('error')).code).to.equal('rate_limited');
    // The burst of 40 was served, in order.
    for (let i = 0; i < 40; i++) expect((await socket.next('pong')).ref).to.equal(`q${i}`);
    // The bucket refills at 20 per second: two heartbeat pings (100 ms apart) tell that time passed.
    await new Promise<void>((resolve) => {
      let seen = 0;
      socket.ws.on('ping', () => ++seen === 2 && resolve());
    });
    await socket.sync();
    await socket.close();
  });

  it('pings every socket and terminates a peer that stops answering', async () => {
    const mentor = await buildMentor(server.db);
    const alive = await TestSocket.open(server.url, tokenFor(server, mentor));
    const dead = await TestSocket.open(server.url, tokenFor(server, mentor), { autoPong: false });
    const pings = new Promise<void>((resolve) => {
      let seen = 0;
      alive.ws.on('ping', () => ++seen === 3 && resolve());
    });
    expect((await dead.closed).code).to.equal(1006);
    await pings;
    await alive.sync();
    await alive.close();
  });

  it('closes with 4001 when the access token expires without renewal', async () => {
    const learner = await buildLearner(server.db);
    const socket = await TestSocket.open(server.url, accessTokenExpiringIn(server, learner, 1));
    expect(await socket.closed).to.deep.equal({ code: 4001, reason: 'access token expired' });
  });

  it('renews the token in-band: the socket outlives the first token', async () => {
    const learner = await buildLearner(server.db);
    const short = accessTokenExpiringIn(server, learner, 1);
    const socket = await TestSocket.open(server.url, short);
    const firstExpiry = Date.parse(socket.welcome.expires_at);
    const fresh = tokenFor(server, learner);
    const answer = await socket.request({ type: 'auth', token: fresh });
    expect(answer.type).to.equal('authenticated');
    expect(answer.expires_at).to.equal(new Date(server.bundle.deps.tokens.verifyAccess(fresh).exp * 1000).toISOString());
    // Heartbeat pings (every 100 ms) serve as the clock: wait until the first token is past.
    await new Promise<void>((resolve) => {
      socket.ws.on('ping', () => Date.now() > firstExpiry + 300 && resolve());
    });
    await socket.sync();
    expect(socket.ws.readyState).to.equal(socket.ws.OPEN);
    await socket.close();
  });

  it('refuses a renewal with a bad token or another user’s, keeping the socket', async () => {
    const learner = await buildLearner(server.db);
    const socket = await TestSocket.open(server.url, tokenFor(server, learner));
    const other = await buildLearner(server.db);
    for (const token of ['garbage', tokenFor(server, other), accessTokenExpiringIn(server, learner, -1)]) {
      const error = await socket.request({ type: 'auth', token });
      expect(error).to.include({ type: 'error', code: 'auth_failed' });
    }
    await socket.sync();
    await socket.close();
  });

  it('closes a consumer that stops reading with 4008 instead of buffering without bound', async () => {
    const slow = await getTestServer({ WS_MAX_BUFFERED_BYTES: '65536' });
    try {
      const { mentor, session } = await buildClassroom(slow, 0);
      const socket = await TestSocket.open(slow.url, tokenFor(slow, mentor));
      await socket.subscribe(`room_${session.id}`);
      socket.ws.pause();
      const body = 'x'.repeat(2000);
      // Chat broadcasts of 2 KB each, far more than the socket buffers of a loopback connection.
      for (let i = 1; i <= 20000; i++) {
        const message = ChatMessage.fromJson({ id: i, session_id: session.id, sender_id: mentor.id, body, created_at: new Date() });
        message.sender = mentor;
        slow.bundle.deps.events.publish({ type: 'chat.message', message });
      }
      socket.ws.resume();
      expect((await socket.closed).code).to.equal(4008);
      expect(socket.unclaimed('chat').length).to.be.lessThan(20000);
    } finally {
      await slow.close();
    }
  });
});
