/**
 * Signalling relay latency with 200 active rooms (a mentor and a learner each): every room relays
 * 10 signals per second in each direction (4,000 messages/s in all, spread evenly) for 10 seconds;
 * latency is from `send` to receipt by the addressed peer, both in this process. Target:
 * p99 ≤ 10 ms.
 *
 * Usage: node --import tsx bench/ws-relay-latency.ts [--redis redis://127.0.0.1:6379]
 * With --redis, two server processes share the database and Redis, mentors connect to one and
 * learners to the other, so every signal crosses Redis pub/sub.
 */
import crypto from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { WebSocket } from 'ws';
import { openSockets, prepareWorld, report, request, startServer, summarize } from './ws-lib.ts';

const ROOMS = 200;
const PER_ROOM_PER_SECOND = 10;
const SECONDS = 10;
const redisAt = process.argv.indexOf('--redis');
const redisUrl = redisAt >= 0 ? process.argv[redisAt + 1] : undefined;

const world = await prepareWorld({ mentors: ROOMS + 1, learners: ROOMS });
const mentors = world.users.filter((u) => u.role === 'mentor').slice(1, ROOMS + 1);
const learners = world.users.filter((u) => u.role === 'learner');
const now = new Date();
const start = new Date(now.getTime() + 10 * 60_000); // inside the room's window
const stamp = now.toISOString();
const sessionIds: number[] = [];
for (const mentor of mentors) {
  const [row] = await world.db('sessions')
    .insert({ mentor_id: mentor.id, title: 'Bench room', start_time: start.toISOString(), end_time: new Date(start.getTime() + 3_600_000).toISOString(), duration: 60, status: 'scheduled', capacity: 1, booked_count: 1, created_at: stamp, updated_at: stamp })
    .returning('id');
  sessionIds.push(typeof row === 'object' ? row.id : row);
}
await world.db('bookings').insert(sessionIds.map((id, i) => ({ session_id: id, learner_id: learners[i]!.id, status: 'booked', created_at: stamp, updated_at: stamp })));

const env: Record<string, string> = redisUrl ? { REDIS_URL: redisUrl, WS_REDIS_PREFIX: `md-bench-${crypto.randomBytes(4).toString('hex')}:` } : {};
const servers = await Promise.all((redisUrl ? [0, 1] : [0]).map(() => startServer(world, { LOG_LEVEL: 'info', ...env })));
try {
  const mentorSockets = await openSockets(servers[0]!.url, mentors.map((u) => u.token));
  const learnerSockets = await openSockets(servers[servers.length - 1]!.url, learners.map((u) => u.token));
  const peers = new Map<WebSocket, string>();
  const samples: number[] = [];
  const rooms = await Promise.all(
    sessionIds.map(async (id, i) => {
      const channel = `room_${id}`;
      const mentor = mentorSockets[i]!;
      const learner = learnerSockets[i]!;
      const mentorState = await joinRoom(mentor, channel);
      const learnerState = await joinRoom(learner, channel);
      peers.set(mentor, mentorState.peer);
      peers.set(learner, learnerState.peer);
      return { channel, mentor, learner };
    }),
  );
  for (const socket of [...mentorSockets, ...learnerSockets]) {
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString());
      if (message.type === 'signal') samples.push(performance.now() - message.data.sentAt);
    });
  }
  // Sends spread evenly: every 5 ms, the next slice of rooms signals both ways.
  const perTick = (ROOMS * PER_ROOM_PER_SECOND * 5) / 1000;
  let cursor = 0;
  const timer = setInterval(() => {
    for (let k = 0; k < perTick; k++) {
      const room = rooms[cursor++ % rooms.length]!;
      const sentAt = performance.now();
      const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
      room.learner.send(JSON.stringify({ type: 'signal', channel: room.channel, to: peers.get(room.mentor), data: { sentAt, candidate } }));
      room.mentor.send(JSON.stringify({ type: 'signal', channel: room.channel, to: peers.get(room.learner), data: { sentAt, candidate } }));
    }
  }, 5);
  await delay(SECONDS * 1000);
  clearInterval(timer);
  await delay(500);
  report('ws-relay-latency', {
    rooms: ROOMS,
    processes: servers.length,
    messages_per_second: ROOMS * PER_ROOM_PER_SECOND * 2,
    relay_ms: summarize(samples),
    target_p99_ms: 10,
  });
  for (const socket of [...mentorSockets, ...learnerSockets]) socket.terminate();
} finally {
  await Promise.all(servers.map((server) => server.stop('SIGTERM')));
  await world.cleanup();
}

async function joinRoom(ws: WebSocket, channel: string): Promise<{ peer: string }> {
  const state = new Promise<{ peer: string }>((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(data.toString());
      if (message.type !== 'room_state') return;
      ws.off('message', onMessage);
      resolve(message);
    };
    ws.on('message', onMessage);
  });
  const answer = await request(ws, { type: 'subscribe', channel });
  if (answer.type !== 'subscribed') throw new Error(`could not join ${channel}: ${JSON.stringify(answer)}`);
  return state;
}
