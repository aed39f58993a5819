/**
 * A network namespace with only a loopback interface, for WebRTC in Chromium.
 *
 * The machine's real interface has an address Chromium would gather ICE candidates on (and
 * simple-peer, left to its defaults, would ask public STUN servers). Inside
 * `unshare --net sh -c 'ip link set lo up && exec "$@"' sh <command>` the only interface is `lo`,
 * so no candidate but 127.0.0.1 exists and no packet can leave the machine. The whole process runs
 * there — the test server and Chromium alike — since a server outside the namespace would not be
 * reachable from inside it (each namespace has its own loopback).
 *
 * Unix sockets are files, not network, so they still connect across the boundary: PostgreSQL is
 * reached through its socket directory (see `pgOverSocket`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

/** Set in the environment of a process started by `spawnInLoopbackNamespace`. */
export const NETNS_ENV = 'MD_LOOPBACK_NETNS';

/** True when this process runs in a namespace started by `spawnInLoopbackNamespace`. */
export function inLoopbackNamespace(): boolean {
  return process.env[NETNS_ENV] === '1';
}

/** Every network interface this process can see is a loopback one. */
export function onlyLoopbackInterfaces(): boolean {
  return Object.values(os.networkInterfaces())
    .flat()
    .every((address) => address?.internal === true);
}

/** Whether `unshare --net` works here (it needs root, or CAP_SYS_ADMIN). */
export function canUnshareNetwork(): { ok: true } | { ok: false; reason: string } {
  const probe = spawnSync('unshare', ['--net', 'sh', '-c', 'ip link set lo up'], { encoding: 'utf8' });
  if (probe.error) return { ok: false, reason: `unshare could not run: ${probe.error.message}` };
  if (probe.status !== 0) return { ok: false, reason: `unshare --net failed (exit ${probe.status}): ${probe.stderr.trim()}` };
  return { ok: true };
}

/**
 * PostgreSQL on 127.0.0.1 is outside the namespace's loopback; its Unix socket is not. Rewrites a
 * loopback `postgres://` URL to use the socket directory when the socket exists (libpq's `host`
 * parameter, which node-postgres honours). Anything else is returned unchanged.
 */
export function pgOverSocket(url: string | undefined, socketDir = '/var/run/postgresql'): string | undefined {
  if (!url) return url;
  const parsed = new URL(url);
  if (!/^postgres(ql)?:$/.test(parsed.protocol) || !['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) return url;
  if (!fs.existsSync(`${socketDir}/.s.PGSQL.${parsed.port || 5432}`)) return url;
  parsed.searchParams.set('host', socketDir);
  return parsed.toString();
}

/**
 * Starts `command` in a new network namespace with only `lo` (up). The child gets this process's
 * environment plus `env`, `MD_LOOPBACK_NETNS=1`, and PostgreSQL URLs rewritten for the socket.
 * It leads its own process group, so `killGroup` also stops the browser it started.
 */
export function spawnInLoopbackNamespace(command: string[], env: Record<string, string> = {}): ChildProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, [NETNS_ENV]: '1' };
  for (const name of ['TEST_DATABASE_URL', 'DATABASE_URL']) childEnv[name] = pgOverSocket(childEnv[name]);
  return spawn('unshare', ['--net', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...command], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

/** Stops a process started by `spawnInLoopbackNamespace` and everything it started. */
export function killGroup(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
