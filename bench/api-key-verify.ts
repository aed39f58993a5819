/**
 * API-key verification time by kind of presented key, in process (no HTTP, so the network and
 * Koa do not drown the difference): a valid key, the right prefix with a wrong secret (one
 * character changed at the start, or at the end, of the secret), a well-formed key with an unknown
 * prefix, and a malformed one. Kinds are interleaved round by round on a fresh SQLite database;
 * prints one JSON line with the medians and p90s in microseconds.
 *
 *   node --import tsx bench/api-key-verify.ts [--rounds 2000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createKnex } from '../src/db/knex.ts';
import { migrateLatest } from '../src/db/migrate.ts';
import { User } from '../src/models/index.ts';
import { createApiKey, verifyApiKey } from '../src/services/apiKeys.ts';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || 2000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-bench-keys-'));
const db = createKnex(`sqlite://${path.join(dir, 'bench.sqlite3')}`);
await migrateLatest(db);
const admin = await User.query(db).insertAndFetch({ username: 'admin', email: 'a@x.io', password_hash: null, role: 'mentor', is_admin: true } as Partial<User>);
const { key } = await createApiKey(db, admin, { name: 'bench', scopes: ['platform:users'] });
for (let i = 0; i < 200; i++) await createApiKey(db, admin, { name: `other ${i}`, scopes: ['events'] });

const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
const kinds: Record<string, string> = {
  valid: key,
  wrongSecretStart: flip(key, 12),
  wrongSecretEnd: flip(key, key.length - 1),
  unknownPrefix: `mdk_${'Z'.repeat(43)}`,
  malformed: 'mdk_not-a-key',
};
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (const [kind, presented] of Object.entries(kinds)) {
    const start = process.hrtime.bigint();
    await verifyApiKey(db, presented).catch(() => undefined);
    samples[kind]!.push(Number(process.hrtime.bigint() - start) / 1000);
  }
}
const at = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!;
const result = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { p50_us: Math.round(at(v, 0.5)), p90_us: Math.round(at(v, 0.9)) }]));
console.log(JSON.stringify({ bench: 'api-key-verify', rounds, load: os.loadavg()[0]!.toFixed(2), node: process.version, result }));
await db.destroy();
fs.rmSync(dir, { recursive: true, force: true });
