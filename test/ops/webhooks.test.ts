/**
 * Webhooks across real server processes (src/server.ts runs the delivery worker):
 * - SIGKILL while a delivery is in flight: the event was committed with the booking, so after a
 *   restart the message is sent again with the same `webhook-id` once the dead process's lease ran
 *   out, and the delivery succeeds.
 * - Three processes on one PostgreSQL database and Redis: every event reaches every endpoint once,
 *   not once per process.
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
import type { User } from '../../src/models/index.ts';
import { buildAdmin, buildLearner, buildMentor, buildSession } from '../helpers/factories.ts';
import { freshDatabase } from '../helpers/server.ts';
import { startServerProcess, type ServerProcess } from '../helpers/processes.ts';
import { eventually, WebhookReceiver } from '../helpers/webhookReceiver.ts';

const JWT_SECRET = crypto.randomBytes(32).toString('hex');
const tokens = new TokenService(loadConfig({ NODE_ENV: 'test', JWT_SECRET, DATA_DIR: os.tmpdir() }).jwt);
const bearer = (u: User) => ({ Authorization: `Bearer ${tokens.signAccess(u)}`, 'Content-Type': 'application/json' });
const WEBHOOK_ENV = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  WEBHOOK_POLL_INTERVAL_MS: '100',
  WEBHOOK_RETRY_SCHEDULE: '200ms,200ms,200ms',
  // The lease of a dead process's claim runs out after 2 × 1 s + 5 s.
  WEBHOOK_TIMEOUT_MS: '1000',
};

async function registerEndpoint(url: string, admin: User, receiver: WebhookReceiver, baseUrl: string): Promise<number> {
  const res = await fetch(`${baseUrl}/api/webhooks/`, { method: 'POST', headers: bearer(admin), body: JSON.stringify({ url, events: ['booking.created'] }) });
  expect(res.status).to.equal(201);
  const body = (await res.json()) as { id: number; secret: string };
  receiver.secrets = [body.secret];
  return body.id;
}

describe('webhooks: a server killed with SIGKILL before the delivery completed', function () {
  this.timeout(120000);
  let dataDir: string;
  let database: { url: string; drop: () => Promise<void> };
  let db: Knex;
  let proc: ServerProcess;
  let receiver: WebhookReceiver;
  const env = () => ({ DATA_DIR: dataDir, DATABASE_URL: database.url, JWT_SECRET, ...WEBHOOK_ENV });

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-webhook-crash-'));
    database = await freshDatabase(dataDir);
    proc = await startServerProcess(env());
    db = createKnex(database.url);
    receiver = await WebhookReceiver.start();
  });
  after(async () => {
    proc?.child.kill('SIGKILL');
    await receiver?.close();
    await db?.destroy();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers the committed booking after a restart, with the same webhook-id', async () => {
    const admin = await buildAdmin(db);
    const endpoint = await registerEndpoint(receiver.url, admin, receiver, proc.url);
    const mentor = await buildMentor(db);
    const learner = await buildLearner(db);
    const session = await buildSession(db, { mentor_id: mentor.id, capacity: 2 });

    // The first attempt reaches the receiver, which never answers: the process dies mid-delivery.
    receiver.respond = (n) => (n === 1 ? 'hold' : 200);
    const booked = await fetch(`${proc.url}/api/sessions/${session.id}/book/`, { method: 'POST', headers: bearer(learner) });
    expect(booked.status).to.equal(201);
    const booking = (await booked.json()) as { id: number };
    await receiver.waitFor(1);
    proc.child.kill('SIGKILL');
    expect(await proc.exited).to.equal(null);
    const [pending] = await db('webhook_deliveries').where('endpoint_id', endpoint);
    expect(pending).to.include({ status: 'pending', attempt_count: 0 });

    proc = await startServerProcess(env());
    await receiver.waitFor(2, 30000);
    const [first, second] = receiver.messages;
    expect(second!.id).to.equal(first!.id);
    expect(second!.body).to.deep.equal(first!.body);
    expect(second!.body).to.include({ type: 'booking.created' });
    expect(second!.body.data.id).to.equal(booking.id);
    const done = await eventually(async () => {
      const [d] = await db('webhook_deliveries').where('endpoint_id', endpoint);
      return d?.status === 'succeeded' ? d : undefined;
    });
    expect(done.attempt_count).to.equal(1);
    expect(receiver.rejected).to.deep.equal([]);
  });
});

const clusterReady = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);

if (clusterReady) describe('webhooks: three processes on PostgreSQL and Redis', function () {
  this.timeout(180000);
  let dataDir: string;
  let database: { url: string; drop: () => Promise<void> };
  let db: Knex;
  let procs: ServerProcess[] = [];
  const receivers: WebhookReceiver[] = [];

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-webhook-cluster-'));
    database = await freshDatabase(dataDir, 'postgres');
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      REDIS_URL: process.env.TEST_REDIS_URL!,
      WS_REDIS_PREFIX: `md-webhooks-${crypto.randomBytes(4).toString('hex')}:`,
      JWT_SECRET,
      ...WEBHOOK_ENV,
    };
    procs = await Promise.all([0, 1, 2].map(() => startServerProcess(env, 90000)));
    db = createKnex(database.url);
  });
  after(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    for (const r of receivers) await r.close();
    await db?.destroy();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers each event once per endpoint, whichever process committed it', async () => {
    const admin = await buildAdmin(db);
    for (let i = 0; i < 2; i++) {
      const receiver = await WebhookReceiver.start();
      receivers.push(receiver);
      await registerEndpoint(receiver.url, admin, receiver, procs[i]!.url);
    }
    const mentor = await buildMentor(db);
    const sessions = await Promise.all(Array.from({ length: 3 }, () => buildSession(db, { mentor_id: mentor.id, capacity: 20 })));
    const learners = await Promise.all(Array.from({ length: 10 }, () => buildLearner(db)));
    const booked = await Promise.all(
      learners.flatMap((learner, i) =>
        sessions.map(async (s, j) => {
          const res = await fetch(`${procs[(i + j) % 3]!.url}/api/sessions/${s.id}/book/`, { method: 'POST', headers: bearer(learner) });
          expect(res.status).to.equal(201);
          return ((await res.json()) as { id: number }).id;
        }),
      ),
    );
    for (const receiver of receivers) await receiver.waitFor(30, 30000);
    await eventually(async () => {
      const rows = await db('webhook_deliveries').whereNot('status', 'succeeded').count({ n: '*' }).first();
      return Number(rows!.n) === 0;
    });
    // Every attempt is logged, so a second send by another process would show as a second attempt.
    expect(Number((await db('webhook_attempts').count({ n: '*' }).first())!.n)).to.equal(60);
    for (const receiver of receivers) {
      expect(receiver.messages).to.have.length(30);
      expect(new Set(receiver.messages.map((m) => m.id)).size).to.equal(30);
      expect(receiver.messages.map((m) => m.body.data.id).sort((a, b) => a - b)).to.deep.equal([...booked].sort((a, b) => a - b));
      expect(receiver.rejected).to.deep.equal([]);
    }
  });
});
