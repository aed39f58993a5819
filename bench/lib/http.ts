/**
 * Shared by the HTTP benchmarks (bench/http-*.ts, `npm run bench:http`).
 *
 * Method: a fresh SQLite database prepared here; the bare-Koa baseline (bare-koa.ts) and our server
 * (serve.ts) each run in a child process; autocannon (50 connections, this process) measures them
 * in turns — A B A B … for several rounds — so the shared, noisy machine weighs on both alike.
 * Reported: the median over rounds of requests/s and of p99 latency, each variant's ratio to the
 * baseline, and the load average next to every round.
 */
import { fork, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Knex } from 'knex';
import { TokenService } from '../../src/auth/tokens.ts';
import { loadConfig } from '../../src/config.ts';
import { createKnex } from '../../src/db/knex.ts';
import { migrateLatest } from '../../src/db/migrate.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const CONNECTIONS = 50;
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = 3;

// ---------------------------------------------------------------- the database

export interface BenchDatabase {
  dataDir: string;
  databaseUrl: string;
  jwtSecret: string;
  db: Knex;
  tokens: TokenService;
  cleanup(): Promise<void>;
}

/**
 * A fresh database: a SQLite file (the default), or — with BENCH_DATABASE_URL=postgres://…/postgres
 * naming a PostgreSQL server — a new database on that server, dropped afterwards.
 */
export async function prepareDatabase(): Promise<BenchDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-bench-http-'));
  const server = process.env.BENCH_DATABASE_URL;
  let databaseUrl = `sqlite://${path.join(dataDir, 'bench.sqlite3')}`;
  let drop = async () => {};
  if (server) {
    const name = `md_bench_${crypto.randomBytes(6).toString('hex')}`;
    const admin = createKnex(server, { poolMax: 1 });
    await admin.raw(`CREATE DATABASE ${name}`);
    await admin.destroy();
    const url = new URL(server);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    drop = async () => {
      const a = createKnex(server, { poolMax: 1 });
      await a.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.destroy();
    };
  }
  const jwtSecret = crypto.randomBytes(32).toString('hex');
  const db = createKnex(databaseUrl);
  await migrateLatest(db);
  const tokens = new TokenService(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, JWT_SECRET: jwtSecret }).jwt);
  return {
    dataDir,
    databaseUrl,
    jwtSecret,
    db,
    tokens,
    async cleanup() {
      await db.destroy();
      await drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Inserts rows in chunks (SQLite limits the variables of one statement); returns their ids in order. */
export async function insertRows(db: Knex, table: string, rows: Array<Record<string, unknown>>): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += 200) {
    const inserted: Array<{ id: number }> = await db(table).insert(rows.slice(i, i + 200)).returning('id');
    ids.push(...inserted.map((r) => r.id));
  }
  return ids;
}

/** `count` users of a role; returns their ids. */
export function insertUsers(db: Knex, role: 'mentor' | 'learner', count: number, prefix: string = role): Promise<number[]> {
  const now = new Date().toISOString();
  return insertRows(
    db,
    'users',
    Array.from({ length: count }, (_, i) => ({
      username: `${prefix}${i}`,
      email: `${prefix}${i}@bench.test`,
      password_hash: 'not-a-login',
      role,
      first_name: 'Bench',
      last_name: `${prefix} ${i}`,
      created_at: now,
      updated_at: now,
    })),
  );
}

// ---------------------------------------------------------------- the servers

export interface Server {
  name: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

function spawn(name: string, script: string, env: Record<string, string>, stdout: 'ignore' | number): Promise<Server> {
  const child = fork(path.join(HERE, script), [], {
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF && name !== 'bare koa' ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
    env: { ...process.env, ...env },
    stdio: ['ignore', stdout, 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening`)));
    child.once('message', (message: { url: string }) => {
      child.removeAllListeners('exit');
      resolve({
        name,
        url: message.url,
        child,
        stop: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

export const startBareKoa = () => spawn('bare koa', 'bare-koa.ts', {}, 'ignore');

/**
 * Our server on the benchmark database, configured as in production. Its log lines (one per request
 * at LOG_LEVEL=info) go to a file in the data folder, as they would to a log file or collector.
 */
export function startOurs(database: BenchDatabase, name: string, env: Record<string, string> = {}): Promise<Server> {
  const log = fs.openSync(path.join(database.dataDir, `${name.replace(/\W+/g, '-')}.log`), 'a');
  return spawn(
    name,
    'serve.ts',
    {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: database.dataDir,
      DATABASE_URL: database.databaseUrl,
      JWT_SECRET: database.jwtSecret,
      SCHEDULER_INTERVAL_SECONDS: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    log,
  );
}

// ---------------------------------------------------------------- measuring

export interface Variant {
  name: string;
  server: Server;
  /** The path (and query) requested, unless `request.requests` sets one per request. */
  path?: string;
  /** What else autocannon sends: method, headers, body, or `requests` with a `setupRequest`. */
  request: Partial<autocannon.Options>;
}

export interface Sample {
  variant: string;
  round: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  loadavg: number;
}

async function run(variant: Variant, seconds: number): Promise<autocannon.Result> {
  const url = `${variant.server.url}${variant.path ?? '/'}`;
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, ...variant.request });
  // A benchmark of error answers measures nothing: stop at the first.
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${variant.name}: ${result.non2xx} non-2xx answers and ${result.errors} errors (status counts ${JSON.stringify(result.statusCodeStats)})`);
  }
  return result;
}

/** Warms every variant up, then measures them in turn, round after round. */
export async function interleave(variants: Variant[], rounds = ROUNDS, seconds = SECONDS): Promise<Sample[]> {
  for (const v of variants) await run(v, WARMUP_SECONDS);
  const samples: Sample[] = [];
  for (let round = 1; round <= rounds; round++) {
    // Alternate the order too, so neither variant always runs right after the other.
    const order = round % 2 === 1 ? variants : [...variants].reverse();
    for (const v of order) {
      const result = await run(v, seconds);
      samples.push({
        variant: v.name,
        round,
        rps: Math.round(result.requests.average),
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
        loadavg: Math.round(os.loadavg()[0]! * 100) / 100,
      });
      const last = samples.at(-1)!;
      console.error(`  round ${round} ${v.name.padEnd(24)} ${String(last.rps).padStart(6)} req/s  p99 ${String(last.p99).padStart(4)} ms  non-2xx ${last.non2xx}  load ${last.loadavg}`);
    }
  }
  return samples;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Summary {
  variant: string;
  rps: number;
  p50: number;
  p99: number;
  /** requests/s relative to the baseline's (1 for the baseline itself). */
  ratio: number;
  non2xx: number;
  errors: number;
}

export function summarize(samples: Sample[], baseline: string): Summary[] {
  const names = [...new Set(samples.map((s) => s.variant))];
  const of = (name: string) => samples.filter((s) => s.variant === name);
  const baseRps = median(of(baseline).map((s) => s.rps));
  return names.map((name) => {
    const mine = of(name);
    const rps = median(mine.map((s) => s.rps));
    return {
      variant: name,
      rps,
      p50: median(mine.map((s) => s.p50)),
      p99: median(mine.map((s) => s.p99)),
      ratio: Math.round((rps / baseRps) * 1000) / 1000,
      non2xx: mine.reduce((n, s) => n + s.non2xx, 0),
      errors: mine.reduce((n, s) => n + s.errors, 0),
    };
  });
}

/** The machine facts RESULTS.md records next to each number. */
export function machine(): Record<string, string | number> {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    nproc: os.availableParallelism(),
    memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadavg: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

/** One table for people (stderr) and one JSON line for tools (stdout). */
export function report(bench: string, what: string, summary: Summary[], samples: Sample[]): void {
  const loads = samples.map((s) => s.loadavg);
  console.error(`\n${bench}: ${what}`);
  console.error(`  ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections, load average ${Math.min(...loads)}–${Math.max(...loads)}`);
  for (const s of summary) {
    console.error(`  ${s.variant.padEnd(24)} ${String(s.rps).padStart(7)} req/s  p50 ${s.p50} ms  p99 ${s.p99} ms  ratio ${s.ratio.toFixed(2)}  non-2xx ${s.non2xx}  errors ${s.errors}`);
  }
  console.log(JSON.stringify({ bench, what, ...machine(), rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, summary, samples }));
}

/** Fails loudly when a variant does not answer as the benchmark assumes (else it measures errors). */
export async function expectAnswer(url: string, init: RequestInit, status: number, check?: (body: any) => void): Promise<void> {
  const res = await fetch(url, init);
  const body = await res.json().catch(() => undefined);
  if (res.status !== status) throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status}, expected ${status}: ${JSON.stringify(body)}`);
  check?.(body);
}
