/**
 * Byte limits on relayed signals: a member flooding a peer with large signals is the one refused
 * and closed; the peer stays connected.
 */
import { expect } from 'chai';
import { WebSocket } from 'ws';
import type { User } from '../../src/models/index.ts';
import { SENDER_REFUSALS_BEFORE_CLOSE } from '../../src/realtime/signalLimits.ts';
import { tokenFor } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { TestSocket } from './client.ts';
import { buildClassroom, type Classroom } from './support.ts';

const blob = 'x'.repeat(60_000);

async function join(server: TestServer, c: Classroom, user: User): Promise<TestSocket> {
  const socket = await TestSocket.open(server.url, tokenFor(server, user));
  expect(await socket.subscribe(`room_${c.session.id}`)).to.include({ type: 'subscribed' });
  await socket.next('room_state');
  return socket;
}

describe('realtime: signal byte limits', () => {
  it('refuses and then closes a member sending 190 signals of 60 KB to the mentor, who stays connected', async () => {
    const server = await getTestServer();
    try {
      const c = await buildClassroom(server, 1);
      const mentor = await join(server, c, c.mentor);
      const attacker = await join(server, c, c.learners[0]!);
      const channel = `room_${c.session.id}`;
      for (let i = 0; i < 190; i++) attacker.send({ type: 'signal', channel, to: mentor.peer, data: { sdp: blob } });

      expect(await attacker.next('error')).to.include({ code: 'rate_limited' });
      expect(await attacker.closed).to.deep.equal({ code: 1008, reason: 'signal byte rate exceeded' });
      await mentor.sync();
      expect(mentor.ws.readyState).to.equal(WebSocket.OPEN);
      // The burst (256 KB) lets four through; everything after the limit was dropped.
      const { burstBytes } = server.config.ws.signalLimit;
      expect(mentor.unclaimed('signal').length).to.be.within(1, Math.ceil(burstBytes / 60_000));
      expect(SENDER_REFUSALS_BEFORE_CLOSE).to.be.below(190);
      await mentor.close();
    } finally {
      await server.close();
    }
  });

  it('stops relaying to a peer whose send buffer is filling, telling the sender `peer_busy`, and never closes the peer', async () => {
    // Sender limits out of the way: only the target's buffer decides.
    const server = await getTestServer({ WS_SIGNAL_BYTES_PER_SECOND: '67108864', WS_SIGNAL_BURST_BYTES: '67108864', WS_SIGNAL_TARGET_BYTES_PER_SECOND: '67108864' });
    try {
      const c = await buildClassroom(server, 1);
      const mentor = await join(server, c, c.mentor);
      const sender = await join(server, c, c.learners[0]!);
      const channel = `room_${c.session.id}`;
      // The mentor stops reading: what the server sends piles up in its buffer.
      const raw = (mentor.ws as unknown as { _socket: import('node:net').Socket })._socket;
      raw.pause();
      for (let i = 0; i < 190; i++) sender.send({ type: 'signal', channel, to: mentor.peer, data: { sdp: blob } });
      expect(await sender.next('error', 15000)).to.include({ code: 'peer_busy', channel });
      raw.resume();
      await mentor.sync();
      expect(mentor.ws.readyState).to.equal(WebSocket.OPEN);
      expect(mentor.unclaimed('signal').length).to.be.below(190);
      await sender.sync();
      await Promise.all([mentor.close(), sender.close()]);
    } finally {
      await server.close();
    }
  });
});
