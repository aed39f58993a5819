/**
 * API keys across processes: two server processes on one PostgreSQL database and one Redis, as
 * behind a load balancer. A key revoked through one process is refused by the other on its very
 * next call, and the per-key rate limit is one budget shared by both.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { loadConfig } from '../../src/config.ts';
import { TokenService } from '../../src/auth/tokens.ts';
import { createKnex } from '../../src/db/knex.ts';
import { buildAdmin } from '../helpers/factories.ts';
import { freshDatabase } from '../helpers/server.ts';
import { startServerProcess, type ServerProcess } from '../helpers/processes.ts';

const ready = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);

if (ready) describe('API keys on two processes with PostgreSQL and Redis', function () {
  this.timeout(240000);
  const JWT_SECRET = crypto.randomBytes(32).toString('hex');
  const tokens = new TokenService(loadConfig({ NODE_ENV: 'test', JWT_SECRET, DATA_DIR: os.tmpdir() }).jwt);
  let dataDir: string;
  let database: { url: string; drop: () => Promise<void> };
  let db: Knex;
  let procs: ServerProcess[] = [];
  let adminToken: string;

  const call = (p: ServerProcess, method: string, route: string, token: string, body?: unknown) =>
    fetch(`${p.url}${route}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const createKey = async (p: ServerProcess) => {
    const res = await call(p, 'POST', '/api/admin/api-keys/', adminToken, { name: 'cluster', scopes: ['platform:users'] });
    expect(res.status).to.equal(201);
    return (await res.json()) as { id: number; key: string };
  };

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-keys-'));
    database = await freshDatabase(dataDir, 'postgres');
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      REDIS_URL: process.env.TEST_REDIS_URL!,
      WS_REDIS_PREFIX: `md-keys-${crypto.randomBytes(4).toString('hex')}:`,
      JWT_SECRET,
      API_KEY_RATE_LIMIT: '6',
      API_KEY_RATE_WINDOW_SECONDS: '60',
    };
    // Slow starts on a busy machine: a process that did start is still stopped by `after`.
    const started = await Promise.allSettled([0, 1].map(() => startServerProcess(env, 90000)));
    procs = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    db = createKnex(database.url);
    adminToken = tokens.signAccess(await buildAdmin(db));
  });
  after(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await db?.destroy();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a key revoked on one process is refused on the next call on the other', async () => {
    const [a, b] = procs as [ServerProcess, ServerProcess];
    const { id, key } = await createKey(a);
    expect((await call(b, 'GET', '/api/platform/users/nobody/', key)).status).to.equal(404);
    expect((await call(a, 'DELETE', `/api/admin/api-keys/${id}/`, adminToken)).status).to.equal(204);
    const refused = await call(b, 'GET', '/api/platform/users/nobody/', key);
    expect(refused.status).to.equal(401);
    expect(((await refused.json()) as { code: string }).code).to.equal('invalid_api_key');
  });

  it('shares one rate-limit budget per key between the processes', async () => {
    const { key } = await createKey(procs[0]!);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await call(procs[i % 2]!, 'GET', '/api/platform/users/nobody/', key)).status);
    expect(statuses).to.deep.equal([404, 404, 404, 404, 404, 404, 429, 429]);
    const limited = await call(procs[1]!, 'GET', '/api/platform/users/nobody/', key);
    expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 60);
  });

  it('writes last_used_at once however many processes see the key', async () => {
    const { id, key } = await createKey(procs[1]!);
    for (let i = 0; i < 4; i++) await call(procs[i % 2]!, 'GET', '/api/platform/users/nobody/', key);
    const row = await db('api_keys').where({ id }).first();
    expect(row.last_used_at).to.not.equal(null);
    const first = new Date(row.last_used_at).getTime();
    await call(procs[0]!, 'GET', '/api/platform/users/nobody/', key);
    expect(new Date((await db('api_keys').where({ id }).first()).last_used_at).getTime()).to.equal(first);
  });
});
