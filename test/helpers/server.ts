/**
 * `getTestServer()` starts the real application on an ephemeral loopback port with a fresh database:
 * a temporary SQLite file by default, or a freshly created PostgreSQL database when TEST_DB=postgres
 * (the server named by TEST_DATABASE_URL). Every response received through `server.api` is checked
 * against openapi.yaml.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { loadConfig, type Config } from '../../src/config.ts';
import { createKnex, createReadKnex } from '../../src/db/knex.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { createApp, type AppBundle, type CreateAppOptions } from '../../src/app.ts';
import { createHttpServer } from '../../src/httpServer.ts';
import { createLogger } from '../../src/logger.ts';
import { ApiClient } from './client.ts';
import { attachRealtime, type RealtimeHub } from '../../src/realtime/hub.ts';

export interface TestServer {
  url: string;
  config: Config;
  db: Knex;
  bundle: AppBundle;
  server: http.Server;
  hub: RealtimeHub;
  api: ApiClient;
  dataDir: string;
  close(): Promise<void>;
}

export const usePostgres = () => process.env.TEST_DB === 'postgres';

/**
 * A fresh, empty database URL (and a function dropping it) for one test server: SQLite in
 * `dataDir`, or PostgreSQL when TEST_DB=postgres or `kind` asks for it.
 */
export async function freshDatabase(
  dataDir: string,
  kind: 'sqlite' | 'postgres' = usePostgres() ? 'postgres' : 'sqlite',
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'sqlite') return { url: `sqlite://${path.join(dataDir, 'test.sqlite3')}`, drop: async () => {} };
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('PostgreSQL tests need TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');
  const name = `md_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: base, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  await admin.destroy();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = knexFactory({ client: 'pg', connection: base, pool: { min: 0, max: 1 } });
      await a.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.destroy();
    },
  };
}

export async function getTestServer(
  env: Record<string, string> = {},
  options: Partial<Omit<CreateAppOptions, 'config' | 'db'>> = {},
): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-test-'));
  const database = await freshDatabase(dataDir);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JWT_SECRET: crypto.randomBytes(32).toString('hex'),
    SCHEDULER_INTERVAL_SECONDS: '0',
    ...env,
  });
  const db = createKnex(config.databaseUrl);
  await migrateLatest(db);
  const dbRead = createReadKnex(config.databaseUrl, db, config.dbReadPoolSize);
  const bundle = createApp({ config, db, dbRead, logger: createLogger(config.logLevel), ...options });
  const server = createHttpServer(bundle);
  const hub = attachRealtime(server, bundle.deps);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    config,
    db,
    bundle,
    server,
    hub,
    dataDir,
    api: new ApiClient(url),
    async close() {
      await hub.close();
      await bundle.deps.revocations.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (dbRead !== db) await dbRead.destroy();
      await db.destroy();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
