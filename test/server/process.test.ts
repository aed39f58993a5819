/**
 * The real entry point as a child process: it migrates, listens, logs without secrets, and on
 * SIGTERM finishes a request that is in flight before exiting 0.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
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
