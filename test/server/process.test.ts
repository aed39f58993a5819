/**
 * The real entry point as a child process: it migrates, listens, logs without secrets, and on
 * SIGTERM finishes a request that is in flight before exiting 0. And `npm start` itself: plain
 * node on the compiled bundle, on a database migrated under tsx.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import readline from 'node:readline';
import { createKnex } from '../../src/db/knex.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { SPEC_JSON_PATH, SPEC_PATH, specDigest } from '../../src/openapi/spec.ts';
import YAML from 'yaml';
import { startServerProcess, type ServerProcess } from '../helpers/processes.ts';

describe('server process', function () {
  this.timeout(30000);
  let dataDir: string;
  let started: ServerProcess;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-proc-'));
    started = await startServerProcess({ DATA_DIR: dataDir });
  });
  after(() => {
    started.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrates on start, warns about the generated secret, and answers /healthz', async () => {
    const res = await fetch(`${started.url}/healthz`);
    expect(res.status).to.equal(200);
    expect(started.lines.join('\n')).to.match(/migrations applied/);
    expect(started.lines.join('\n')).to.match(/JWT_SECRET is not set/);
    expect(fs.existsSync(path.join(dataDir, 'jwt-secret'))).to.equal(true);
  });

  it('never logs passwords or tokens, and masks ?token= in URLs', async () => {
    await fetch(`${started.url}/api/auth/register/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'logcheck', email: 'logcheck@example.test', password: 'super-secret-pw', role: 'learner' }),
    });
    const login = await fetch(`${started.url}/api/auth/token/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'logcheck', password: 'super-secret-pw' }),
    });
    const { access } = (await login.json()) as { access: string };
    await fetch(`${started.url}/api/profile/?token=${access}`, { headers: { Authorization: `Bearer ${access}` } });
    await fetch(`${started.url}/healthz`); // a later line proves the earlier ones were flushed
    const log = started.lines.join('\n');
    expect(log).to.include('token=[REDACTED]');
    expect(log).not.to.include('super-secret-pw');
    expect(log).not.to.include(access);
    expect(log).not.to.include(access.split('.')[2]!);
  });

  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    const { port } = new URL(started.url);
    const body = JSON.stringify({ username: 'inflight', email: 'inflight@example.test', password: 'another-secret', role: 'mentor' });
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/api/auth/register/', method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        },
      );
      req.on('error', reject);
      // Send half the body, signal, then the rest: the request is in flight during shutdown.
      req.write(body.slice(0, 10));
      setTimeout(() => {
        started.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 200);
    });
    const res = await response;
    expect(res.status).to.equal(201);
    expect(await started.exited).to.equal(0);
    expect(started.lines.join('\n')).to.match(/shutting down/);
  });
});

describe('server process configuration errors', () => {
  it('refuses to start in production without JWT_SECRET, with a clear message', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, NODE_ENV: 'production', JWT_SECRET: '', PORT: '0', DATA_DIR: os.tmpdir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).to.equal(78);
    expect(stderr).to.match(/JWT_SECRET is required when NODE_ENV=production/);
  });
});

/** The pids below `pid` (children, grandchildren, …), from /proc. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone meanwhile */
    }
  }
  const out: number[] = [];
  const visit = (p: number) => {
    for (const [child, ppid] of parent) if (ppid === p) out.push(child), visit(child);
  };
  visit(pid);
  return out;
}

const procArgs = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

describe('npm start', function () {
  // A stale build (sources newer than dist/) is rebuilt first: the widgets take a while.
  this.timeout(240_000);
  let dataDir: string;
  let npm: ReturnType<typeof spawn> | undefined;
  let serverPid: number | undefined;

  after(() => {
    for (const pid of [serverPid, npm?.pid]) {
      if (!pid) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves from plain node on the compiled bundle, on a database migrated under tsx', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-npm-start-'));
    // Migrated by the TypeScript sources; the names recorded with their extension, as knex's
    // default migration source did.
    const databaseUrl = `sqlite://${path.join(dataDir, 'mentor-dashboard.sqlite3')}`;
    const db = createKnex(databaseUrl);
    const applied = await migrateLatest(db);
    await db('knex_migrations').update({ name: db.raw("name || '.ts'") });
    await db.destroy();

    npm = spawn('npm', ['--silent', 'start'], {
      env: { ...process.env, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(48), DATA_DIR: dataDir, DATABASE_URL: databaseUrl, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', SCHEDULER_INTERVAL_SECONDS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    readline.createInterface({ input: npm.stderr! }).on('line', (l) => lines.push(l));
    const url = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: npm!.stdout! }).on('line', (line) => {
        lines.push(line);
        const m = /"msg":"listening"/.test(line) && /"url":"([^"]+)"/.exec(line);
        if (m) resolve(m[1]!);
      });
      npm!.on('exit', (code) => reject(new Error(`npm start exited (${code}):\n${lines.join('\n')}`)));
    });

    const servers = descendants(npm.pid!).filter((pid) => procArgs(pid).includes('dist/server/server.js'));
    expect(servers, lines.join('\n')).to.have.length(1);
    serverPid = servers[0]!;
    const args = procArgs(serverPid);
    // `node [V8 flags] dist/server/server.js`: no loader, nothing TypeScript.
    expect(path.basename(args[0]!)).to.equal('node');
    expect(args.at(-1)).to.equal('dist/server/server.js');
    expect(args.slice(1, -1).every((a) => a.startsWith('--max-semi-space-size'))).to.equal(true, args.join(' '));
    expect(args.join(' ')).to.not.match(/tsx|\.ts\b|--import|--loader|--require/);
    const environ = fs.readFileSync(`/proc/${serverPid}/environ`, 'utf8').split('\0');
    expect(environ.find((v) => v.startsWith('NODE_OPTIONS=')) ?? '').to.not.match(/tsx|--import|--loader/);

    expect((await fetch(`${url}/healthz`)).status).to.equal(200);
    // The spec it reads at start-up: openapi.yaml as JSON, stamped with the YAML's digest.
    const yamlText = fs.readFileSync(SPEC_PATH, 'utf8');
    const compiledSpec = JSON.parse(fs.readFileSync(SPEC_JSON_PATH, 'utf8'));
    expect(compiledSpec.sha256).to.equal(specDigest(yamlText));
    expect(compiledSpec.document).to.deep.equal(YAML.parse(yamlText));
    // The tsx-made database was recognised: nothing pending, nothing "corrupt", names normalised.
    expect(lines.join('\n')).to.not.match(/migrations applied|corrupt/);
    const check = createKnex(databaseUrl);
    const names = (await check('knex_migrations').orderBy('id').select('name')).map((r) => r.name);
    await check.destroy();
    expect(names).to.deep.equal(applied);

    const exited = new Promise((resolve) => npm!.once('exit', resolve));
    process.kill(serverPid, 'SIGTERM');
    await exited;
    serverPid = undefined;
  });
});
