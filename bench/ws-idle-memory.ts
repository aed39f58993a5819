/**
 * Server memory with 10,000 authenticated idle sockets (one per user): the server's RSS before and
 * after they connect, read from /proc in its own (child) process. Target: ≤ 200 MiB in total, idle.
 *
 * 10,000 sockets need 10,000 file descriptors on each side: run under `ulimit -n 20000` (the
 * `bench:ws` npm script does). Usage: node --import tsx bench/ws-idle-memory.ts [sockets]
 */
import { setTimeout as delay } from 'node:timers/promises';
import { prepareWorld, openSockets, report, rssMiB, startServer } from './ws-lib.ts';

const SOCKETS = Number(process.argv[2] ?? 10000);
const TARGET_MIB = 200;

const world = await prepareWorld({ mentors: 1, learners: SOCKETS });
const server = await startServer(world, { LOG_LEVEL: 'info' });
try {
  const pid = server.child.pid!;
  // Warm up the code paths a connection uses (handshake, user query, welcome) before the baseline.
  const warm = await openSockets(server.url, world.users.slice(1, 51).map((u) => u.token));
  for (const ws of warm) ws.close();
  await delay(2000);
  const baseline = rssMiB(pid);
  const started = performance.now();
  const sockets = await openSockets(server.url, world.users.slice(1, SOCKETS + 1).map((u) => u.token), 200);
  const connectSeconds = (performance.now() - started) / 1000;
  // Idle: RSS 5 s after the last socket opened, and again after IDLE_SECONDS (default 60) of
  // idleness, when V8 has collected what the connection storm left behind (its memory reducer
  // runs once allocation goes quiet). The idle figure is the one held against the target.
  await delay(5000);
  const afterStorm = rssMiB(pid);
  const idleSeconds = Number(process.env.IDLE_SECONDS ?? 60);
  await delay(Math.max(0, idleSeconds - 5) * 1000);
  const loaded = rssMiB(pid);
  const open = sockets.filter((ws) => ws.readyState === ws.OPEN).length;
  report('ws-idle-memory', {
    sockets: sockets.length,
    still_open: open,
    connect_seconds: Math.round(connectSeconds * 10) / 10,
    rss_baseline_mib: baseline,
    rss_after_5s_mib: afterStorm,
    idle_seconds: idleSeconds,
    rss_mib: loaded,
    per_socket_kib: Math.round(((loaded - baseline) * 1024) / sockets.length * 10) / 10,
    target_mib: TARGET_MIB,
    met: loaded <= TARGET_MIB,
  });
  for (const ws of sockets) ws.terminate();
} finally {
  await server.stop('SIGTERM');
  await world.cleanup();
}
