/**
 * The serving process at rest: time from spawn to the first `200` from /healthz, and its RSS
 * (`/proc/<pid>/status`) 3 s later, for the server under tsx (`node --import tsx src/server.ts`, how
 * `npm start` used to run) and compiled (`node dist/server/server.js`, how it runs now; built by
 * `npm run build` first). Runs alternate (tsx, compiled, compiled, tsx, …) on one migrated SQLite
 * database, NODE_ENV=production. Targets: start ≤ 1.5 s, idle RSS ≤ 100 MiB.
 *
 * Usage: node --import tsx bench/startup.ts [rounds=5]
 * (RSS with 10,000 idle sockets: SERVER_ENTRY=compiled npm run bench:ws runs ws-idle-memory.ts
 * against the compiled server.)
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { serverArgs, type ServerEntry } from '../test/helpers/processes.ts';
import { machine, median } from './lib/http.ts';
import { rssMiB } from './ws-lib.ts';

const ROUNDS = Number(process.argv[2] ?? 5);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-bench-start-'));
const jwtSecret = crypto.randomBytes(32).toString('hex');
let port = 18900 + Math.floor(Math.random() * 500);

if (!fs.existsSync('dist/server/server.js')) throw new Error('build the server first: npm run build');

async function once(entry: ServerEntry): Promise<{ startMs: number; rssMiB: number }> {
  port += 1;
  const started = performance.now();
  const child = spawn(process.execPath, serverArgs(entry), {
    env: { ...process.env, NODE_ENV: 'production', DATA_DIR: dataDir, JWT_SECRET: jwtSecret, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', SCHEDULER_INTERVAL_SECONDS: '0' },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${entry} server exited (${child.exitCode})`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      await delay(10);
    }
    const startMs = Math.round(performance.now() - started);
    await delay(3000);
    return { startMs, rssMiB: rssMiB(child.pid!) };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

try {
  await once('compiled'); // migrates the database
  const samples: Record<ServerEntry, Array<{ startMs: number; rssMiB: number }>> = { tsx: [], compiled: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const entry of (round % 2 ? ['compiled', 'tsx'] : ['tsx', 'compiled']) as ServerEntry[]) {
      const s = await once(entry);
      samples[entry].push(s);
      console.error(`  round ${round + 1} ${entry.padEnd(8)} first /healthz ${String(s.startMs).padStart(5)} ms  idle RSS ${s.rssMiB} MiB  load ${os.loadavg()[0]!.toFixed(2)}`);
    }
  }
  const summary = (Object.keys(samples) as ServerEntry[]).map((entry) => ({
    entry,
    start_ms: median(samples[entry].map((s) => s.startMs)),
    idle_rss_mib: median(samples[entry].map((s) => s.rssMiB)),
  }));
  for (const s of summary) console.error(`${s.entry.padEnd(8)} median first /healthz ${s.start_ms} ms, idle RSS ${s.idle_rss_mib} MiB`);
  console.log(JSON.stringify({ bench: 'startup', ...machine(), rounds: ROUNDS, summary, samples }));
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
