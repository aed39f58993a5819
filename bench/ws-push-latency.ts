/**
 * Push latency with 1,000 connected users: from a notification's `timestamp` (set just before its
 * INSERT, inside the transaction, so this is an upper bound of commit → receipt) to its arrival on
 * the user's socket. Two shapes of load:
 *   - fan-out: an admin broadcast to all 1,000 learners in one commit (5 rounds);
 *   - single: 300 notifications to one random user each, one after another.
 * Server and clients share the machine's clock. Usage: node --import tsx bench/ws-push-latency.ts
 */
import { prepareWorld, openSockets, report, startServer, summarize } from './ws-lib.ts';

const USERS = 1000;
const ROUNDS = 5;
const SINGLES = 300;

const world = await prepareWorld({ mentors: 1, learners: USERS });
const server = await startServer(world, { LOG_LEVEL: 'info' });
try {
  const [admin, ...learners] = world.users;
  const sockets = await openSockets(server.url, learners.map((u) => u.token));
  const latencies = { fanout: [] as number[], single: [] as number[] };
  let expect: { count: number; kind: 'fanout' | 'single'; done: () => void } | undefined;
  for (const ws of sockets) {
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString());
      if (message.type !== 'notification' || !expect) return;
      latencies[expect.kind].push(Date.now() - Date.parse(message.notification.timestamp));
      if (--expect.count === 0) expect.done();
    });
  }
  const broadcast = (body: Record<string, unknown>) =>
    fetch(`${server.url}/api/admin/notifications/`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${admin!.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }).then((res) => {
      if (res.status !== 201) throw new Error(`broadcast answered ${res.status}`);
    });
  const receive = (kind: 'fanout' | 'single', count: number) => new Promise<void>((done) => (expect = { kind, count, done }));

  for (let round = 0; round < ROUNDS; round++) {
    const received = receive('fanout', USERS);
    await broadcast({ role: 'learner', message: `Round ${round}` });
    await received;
  }
  for (let i = 0; i < SINGLES; i++) {
    const user = learners[Math.floor(Math.random() * learners.length)]!;
    const received = receive('single', 1);
    await broadcast({ user: user.id, message: `Just for you ${i}` });
    await received;
  }
  report('ws-push-latency', {
    users: USERS,
    fanout_ms: summarize(latencies.fanout),
    single_ms: summarize(latencies.single),
  });
  for (const ws of sockets) ws.terminate();
} finally {
  await server.stop('SIGTERM');
  await world.cleanup();
}
