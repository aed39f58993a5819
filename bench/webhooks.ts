/**
 * Webhook delivery under a burst: 1,000 bookings (50 concurrent clients) against our server, which
 * records each booking.created in the outbox in the booking's transaction; its delivery worker
 * sends them to a receiver on 127.0.0.1 that verifies every signature with `standardwebhooks`.
 *
 * Reports: all 1,000 delivered; median and p99 from commit (the event's `timestamp`, taken just
 * before COMMIT) to receipt; and the booking latency (median, p99) in rounds without a webhook
 * endpoint (the outbox row only) and with one (outbox, fan-out, and the worker's sending and
 * bookkeeping on the same database), alternated so both see the same machine.
 *
 * Usage: node --import tsx bench/webhooks.ts   (BENCH_ROUNDS to change the number of round pairs)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { newSecret } from '../src/webhooks/send.ts';
import { insertRows, insertUsers, machine, prepareDatabase, startOurs } from './lib/http.ts';

const BURST = 1000;
const CONCURRENCY = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const round1 = (n: number) => Math.round(n * 10) / 10;

const database = await prepareDatabase();
const { db } = database;
const secret = newSecret();
const verifier = new Webhook(secret);

// The receiver: verify, record the delay since the event's timestamp, answer 204.
const delays: number[] = [];
const seen = new Set<string>();
let badSignatures = 0;
let onReceipt: () => void = () => {};
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const received = Date.now();
    const raw = Buffer.concat(chunks).toString('utf8');
    try {
      const body = verifier.verify(raw, req.headers as Record<string, string>) as { timestamp: string };
      if (!seen.has(String(req.headers['webhook-id']))) {
        seen.add(String(req.headers['webhook-id']));
        delays.push(received - Date.parse(body.timestamp));
      }
    } catch {
      badSignatures++;
    }
    res.writeHead(204).end();
    onReceipt();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

const ours = await startOurs(database, 'ours (webhooks)', {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  WEBHOOK_POLL_INTERVAL_MS: '1000',
});

/** A fresh mentor, 20 sessions with 50 seats and 1,000 learners: each booking a new pair. */
async function burstFixtures(tag: string) {
  const [mentor] = await insertUsers(db, 'mentor', 1, `m_${tag}_`);
  const learners = await insertUsers(db, 'learner', BURST / 20, `l_${tag}_`);
  const now = Date.now();
  const sessions = await insertRows(
    db,
    'sessions',
    Array.from({ length: 20 }, (_, i) => {
      const start = new Date(now + (i + 24) * 3_600_000);
      return {
        mentor_id: mentor,
        title: `Burst ${tag} ${i}`,
        start_time: start.toISOString(),
        duration: 60,
        end_time: new Date(start.getTime() + 3_600_000).toISOString(),
        status: 'scheduled',
        capacity: 100,
        price_cents: 1500,
        currency: 'USD',
        created_at: new Date(now).toISOString(),
        updated_at: new Date(now).toISOString(),
      };
    }),
  );
  const tokens = learners.map((id) => `Bearer ${database.tokens.signAccess({ id, role: 'learner', is_admin: false })}`);
  return Array.from({ length: BURST }, (_, i) => ({ session: sessions[i % 20]!, authorization: tokens[Math.floor(i / 20)]! }));
}

/** Books every pair with CONCURRENCY clients; returns each booking's latency in ms. */
async function burst(pairs: Array<{ session: number; authorization: string }>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < pairs.length) {
        const pair = pairs[next++]!;
        const started = performance.now();
        const res = await fetch(`${ours.url}/api/sessions/${pair.session}/book/`, { method: 'POST', headers: { Authorization: pair.authorization } });
        await res.arrayBuffer();
        if (res.status !== 201) throw new Error(`booking answered ${res.status}`);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies;
}

const without: number[] = [];
const withHooks: number[] = [];
const deliveryRuns: Array<{ received: number; delivered: number; median: number; p99: number; drainMs: number }> = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    await db('webhook_endpoints').delete();
    without.push(...(await burst(await burstFixtures(`a${round}`))));

    const [endpoint] = await insertRows(db, 'webhook_endpoints', [
      { url: receiverUrl, events: '["booking.created"]', secret, enabled: true, created_at: new Date().toISOString(), updated_at: new Date().toISOString() },
    ]);
    delays.length = 0;
    seen.clear();
    const all = new Promise<void>((resolve) => (onReceipt = () => seen.size >= BURST && resolve()));
    const started = performance.now();
    withHooks.push(...(await burst(await burstFixtures(`b${round}`))));
    await all;
    const drainMs = performance.now() - started;
    // Every message arrived; wait for the worker to record the last outcomes.
    let delivered = 0;
    while (delivered < BURST) {
      delivered = Number((await db('webhook_deliveries').where({ endpoint_id: endpoint, status: 'succeeded' }).count({ n: '*' }).first())!.n);
      if (delivered < BURST) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    deliveryRuns.push({ received: seen.size, delivered, median: pct(delays, 50), p99: pct(delays, 99), drainMs: Math.round(drainMs) });
  }
  const result = {
    bench: 'webhooks',
    machine: machine(),
    burst: BURST,
    concurrency: CONCURRENCY,
    rounds: ROUNDS,
    badSignatures,
    delivery: deliveryRuns,
    bookingLatencyMs: {
      withoutEndpoint: { median: round1(pct(without, 50)), p99: round1(pct(without, 99)) },
      withEndpoint: { median: round1(pct(withHooks, 50)), p99: round1(pct(withHooks, 99)) },
      p99Increase: `${round1((pct(withHooks, 99) / pct(without, 99) - 1) * 100)} %`,
    },
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  await ours.stop();
  receiver.close();
  await database.cleanup();
}
