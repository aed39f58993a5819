/**
 * Connection timeouts, with raw TCP sockets on loopback: a connection that never sends a byte, one
 * that trickles its headers, a stalled WebSocket upgrade. Timeouts are shortened through the
 * environment; every test awaits the socket's `close` rather than sleeping.
 */
import net from 'node:net';
import { expect } from 'chai';
import { tokenFor, buildLearner } from '../helpers/factories.ts';
import { getTestServer, usePostgres, type TestServer } from '../helpers/server.ts';
import { refusal } from '../realtime/client.ts';

interface Outcome {
  /** Milliseconds from connecting to the close. */
  after: number;
  /** Milliseconds from the server's last write to the close. */
  quiet: number;
  /** Everything the server wrote. */
  received: string;
}

/** Connects to the server, runs `talk` on the socket, and resolves when the server closes it. */
function hold(server: TestServer, talk: (socket: net.Socket) => void = () => {}): Promise<Outcome> {
  const { port } = server.server.address() as net.AddressInfo;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let received = '';
    let lastWrite = started;
    const socket = net.connect(port, '127.0.0.1', () => talk(socket));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      lastWrite = performance.now();
    });
    socket.on('error', () => {});
    socket.once('close', () => resolve({ after: performance.now() - started, quiet: performance.now() - lastWrite, received }));
    // A guard far beyond every timeout under test, so a regression fails instead of hanging.
    setTimeout(() => {
      socket.destroy();
      reject(new Error('the server kept the connection open'));
    }, 8000).unref();
  });
}

describe('HTTP connection timeouts', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer({
      HTTP_IDLE_TIMEOUT_MS: '300',
      HTTP_HEADERS_TIMEOUT_MS: '800',
      HTTP_REQUEST_TIMEOUT_MS: '2000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '300',
      WS_UPGRADE_TIMEOUT_MS: '300',
    });
  });
  after(() => server.close());

  it('closes a connection that never sends a byte after HTTP_IDLE_TIMEOUT_MS', async () => {
    const { after, received } = await hold(server);
    expect(received).to.equal('');
    expect(after).to.be.within(250, 1500);
  });

  it('cuts a client trickling its headers at HTTP_HEADERS_TIMEOUT_MS (408), though bytes keep coming', async () => {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await hold(server, (socket) => {
      socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      let n = 0;
      timer = setInterval(() => socket.write(`X-Slow-${n++}: a\r\n`), 100);
      socket.once('close', () => clearInterval(timer));
    });
    clearInterval(timer);
    expect(outcome.received).to.match(/^HTTP\/1\.1 408/);
    expect(outcome.received).to.include('"code":"request_timeout"');
    expect(outcome.after).to.be.within(700, 2500);
  });

  it('closes a kept-alive connection idle after its response at HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const outcome = await hold(server, (socket) => socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    expect(outcome.received).to.match(/^HTTP\/1\.1 200/);
    expect(outcome.quiet).to.be.within(250, 1500);
  });

  it('cuts a WebSocket upgrade whose headers stall, like any request', async () => {
    const outcome = await hold(server, (socket) => socket.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n'));
    expect(outcome.received).to.match(/^HTTP\/1\.1 408/);
    expect(outcome.received).to.include('"code":"request_timeout"');
    expect(outcome.after).to.be.within(700, 2500);
  });

  it('refuses (503) a WebSocket upgrade that cannot be checked within WS_UPGRADE_TIMEOUT_MS', async () => {
    const learner = await buildLearner(server.db);
    // Hold the account table so the upgrade's account check waits.
    await server.db.transaction(async (trx) => {
      if (usePostgres()) await trx.raw('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      else await trx('users').where('id', learner.id).update({ updated_at: new Date() });
      const refused = await refusal(server.url, tokenFor(server, learner));
      expect(refused.status).to.equal(503);
      expect(refused.body).to.include({ code: 'service_unavailable' });
    });
  });
});
