/**
 * Shared by the WebSocket benchmarks (bench/ws-*.ts; `npm run bench:ws`). Each benchmark prepares a
 * fresh SQLite database with its users, starts the real server entry point in a child process
 * (so its memory and CPU are its own) and drives it with `ws` clients from this process.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { TokenService } from '../src/auth/tokens.ts';
import { loadConfig } from '../src/config.ts';
import { createKnex } from '../src/db/knex.ts';
import { migrateLatest } from '../src/db/migrate.ts';
import { startServerProcess, type ServerProcess } from '../test/helpers/processes.ts';

export interface BenchUser {
  id: number;
  role: 'mentor' | 'learner';
  token: string;
}

export interface BenchWorld {
  dataDir: string;
  databaseUrl: string;
  jwtSecret: string;
  users: BenchUser[];
  /** Runs SQL against the benchmark database (closed by `cleanup`). */
  db: ReturnType<typeof createKnex>;
  cleanup(): Promise<void>;
}

const CHUNK = 500;

/** A migrated database with `mentors` mentors and `learners` learners (the first user is an admin mentor). */
export async function prepareWorld(counts: { mentors: number; learners: number }): Promise<BenchWorld> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-bench-'));
  const databaseUrl = `sqlite://${path.join(dataDir, 'bench.sqlite3')}`;
  const jwtSecret = crypto.randomBytes(32).toString('hex');
  const db = createKnex(databaseUrl);
  await migrateLatest(db);
  const now = new Date().toISOString();
  const rows = [
    ...Array.from({ length: counts.mentors }, (_, i) => ({ role: 'mentor' as const, name: `mentor${i}`, admin: i === 0 })),
    ...Array.from({ length: counts.learners }, (_, i) => ({ role: 'learner' as const, name: `learner${i}`, admin: false })),
  ];
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db('users').insert(
      rows.slice(i, i + CHUNK).map((r) => ({
        username: r.name,
        email: `${r.name}@bench.test`,
        password_hash: 'not-a-login',
        role: r.role,
        is_admin: r.admin,
        first_name: 'Bench',
        last_name: r.name,
        created_at: now,
        updated_at: now,
      })),
    );
  }
  const tokens = new TokenService(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, JWT_SECRET: jwtSecret, JWT_ACCESS_TTL: '86400' }).jwt);
  const stored: Array<{ id: number; role: 'mentor' | 'learner'; is_admin: number | boolean }> = await db('users').orderBy('id').select('id', 'role', 'is_admin');
  const users = stored.map((u) => ({ id: u.id, role: u.role, token: tokens.signAccess({ id: u.id, role: u.role, is_admin: Boolean(u.is_admin) }) }));
  return {
    dataDir,
    databaseUrl,
    jwtSecret,
    users,
    db,
    async cleanup() {
      await db.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The real server (`src/server.ts`) on the benchmark database, in a child process. */
export function startServer(world: BenchWorld, env: Record<string, string> = {}): Promise<ServerProcess> {
  return startServerProcess({
    NODE_ENV: 'production',
    DATA_DIR: world.dataDir,
    DATABASE_URL: world.databaseUrl,
    JWT_SECRET: world.jwtSecret,
    JWT_ACCESS_TTL: '86400',
    WS_MAX_CONNECTIONS_PER_USER: '100',
    ...env,
  });
}

/** Opens one socket per token, `concurrency` handshakes at a time; resolves when all said welcome. */
export async function openSockets(url: string, tokens: string[], concurrency = 100): Promise<WebSocket[]> {
  const wsUrl = `${url.replace(/^http/, 'ws')}/ws`;
  const sockets: WebSocket[] = new Array(tokens.length);
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) {
      const i = next++;
      sockets[i] = await new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(wsUrl, ['bearer', tokens[i]!], { perMessageDeflate: false });
        ws.once('message', () => resolve(ws)); // welcome
        ws.once('error', reject);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return sockets;
}

/** Sends `message` (with a fresh id) and resolves with the reply carrying it as `ref`. */
export function request(ws: WebSocket, message: Record<string, unknown>): Promise<any> {
  const id = crypto.randomUUID();
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const parsed = JSON.parse(data.toString());
      if (parsed.ref !== id) return;
      ws.off('message', onMessage);
      resolve(parsed);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ ...message, id }));
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function summarize(samples: number[]): { n: number; p50: number; p90: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

/** The machine facts RESULTS.md records next to each number. */
export function machine(): Record<string, string | number> {
  return {
    date: new Date().toISOString(),
    node: process.version,
    nproc: os.availableParallelism(),
    memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadavg: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

/** Resident set size of a process, in MiB (Linux). */
export function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return Math.round((kb / 1024) * 10) / 10;
}

export function report(name: string, result: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench: name, ...machine(), ...result }));
}
