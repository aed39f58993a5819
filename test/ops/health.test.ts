/**
 * Readiness with Redis: /readyz reports Redis reachability; when Redis is down the process keeps
 * serving (REST, WebSockets on this process), says why in its log, and /readyz answers 503 so a
 * load balancer takes it out of rotation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startServerProcess, type ServerProcess } from '../helpers/processes.ts';

describe('readiness when Redis is unreachable', function () {
  this.timeout(60000);
  let dataDir: string;
  let proc: ServerProcess;
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-health-'));
    // Nothing listens on port 1: every connection attempt fails at once.
    proc = await startServerProcess({ DATA_DIR: dataDir, REDIS_URL: 'redis://127.0.0.1:1' });
  });
  after(async () => {
    await proc?.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /readyz 503 naming redis, while /healthz and the API keep working', async () => {
    const ready = await fetch(`${proc.url}/readyz`);
    expect(ready.status).to.equal(503);
    expect(await ready.json()).to.deep.equal({ status: 'fail', checks: { database: 'ok', redis: 'fail' } });
    expect((await fetch(`${proc.url}/healthz`)).status).to.equal(200);
    const register = await fetch(`${proc.url}/api/auth/register/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'still_up', email: 'still_up@example.test', password: 'a-long-password', role: 'learner' }),
    });
    expect(register.status).to.equal(201);
    const login = await fetch(`${proc.url}/api/auth/token/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'still_up', password: 'a-long-password' }),
    });
    expect(login.status).to.equal(200); // the rate limiter fails open
  });

  it('logs the reason and does not crash', async () => {
    const log = proc.lines.join('\n');
    expect(log).to.match(/redis \(realtime\) connection problem; retrying/);
    expect(log).to.match(/readiness: redis unreachable/);
    expect(proc.child.exitCode).to.equal(null);
  });
});
