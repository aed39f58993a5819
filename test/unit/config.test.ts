import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('config', () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'md-cfg-'));

  it('has working defaults', () => {
    const dir = tmp();
    const c = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir });
    expect(c.port).to.equal(8000);
    expect(c.host).to.equal('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'development', DATA_DIR: dir }).host).to.equal('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'production', DATA_DIR: dir, JWT_SECRET: 'x'.repeat(48), PUBLIC_URL: 'https://m.example' }).host).to.equal('0.0.0.0');
    expect(loadConfig({ NODE_ENV: 'development', DATA_DIR: dir, HOST: '0.0.0.0' }).host).to.equal('0.0.0.0');
    expect(c.databaseUrl).to.equal(`sqlite://${path.join(dir, 'mentor-dashboard.sqlite3')}`);
    expect(c.readyLeadMinutes).to.equal(30);
    expect(c.rescheduleNoticeMinutes).to.equal(1440);
    expect(c.requestLimits).to.deep.equal({ maxPending: 3, rate: { max: 20, windowSeconds: 600 } });
    expect(c.dbReadPoolSize).to.equal(3);
    expect(loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, DB_READ_POOL_SIZE: '0' }).dbReadPoolSize).to.equal(0);
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'eighty' }, /PORT must be an integer/],
    [{ PORT: '70000' }, /PORT must be between/],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET must be at least 32 bytes/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ CORS_ORIGINS: 'https://ok.example, not a url' }, /CORS_ORIGINS/],
    [{ CORS_ORIGINS: 'https://example.com/path' }, /bare origin/],
    [{ TRUST_PROXY: 'maybe' }, /TRUST_PROXY/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ REDIS_URL: 'http://x' }, /REDIS_URL/],
    [{ TURN_URLS: 'turn:turn.example:3478' }, /TURN_SECRET/],
    [{ DB_READ_POOL_SIZE: '17' }, /DB_READ_POOL_SIZE must be between 0 and 16/],
    [{ RESCHEDULE_NOTICE_MINUTES: '-1' }, /RESCHEDULE_NOTICE_MINUTES must be between 0 and 43200/],
    [{ RESCHEDULE_NOTICE_MINUTES: 'a day' }, /RESCHEDULE_NOTICE_MINUTES must be an integer/],
    [{ REQUEST_MAX_PENDING: '0' }, /REQUEST_MAX_PENDING must be between 1 and 100/],
    [{ REQUEST_RATE_LIMIT: '0' }, /REQUEST_RATE_LIMIT must be between/],
    [{ REQUEST_RATE_WINDOW_SECONDS: '0' }, /REQUEST_RATE_WINDOW_SECONDS must be between/],
  ];
  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)} with a clear message`, () => {
      expect(() => loadConfig({ NODE_ENV: 'test', DATA_DIR: tmp(), ...env })).to.throw(ConfigError, message);
    });
  }

  it('refuses to start in production without JWT_SECRET', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tmp() })).to.throw(ConfigError, /JWT_SECRET is required/);
  });

  it('persists a generated development secret in the data folder with 0600 permissions', () => {
    const dir = tmp();
    const a = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir });
    const b = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir });
    expect(a.jwt.generated).to.equal(true);
    expect(a.jwt.secret.equals(b.jwt.secret)).to.equal(true);
    expect(fs.statSync(path.join(dir, 'jwt-secret')).mode & 0o777).to.equal(0o600);
  });

  it('reads the webhook retry schedule as durations, and refuses a bad one naming the variable', () => {
    expect(loadConfig({ NODE_ENV: 'test', DATA_DIR: tmp() }).webhooks).to.deep.include({
      allowHttp: false,
      allowPrivateNetworks: false,
      retryScheduleMs: [5000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      timeoutMs: 10_000,
      eventRetentionDays: 30,
    });
    expect(loadConfig({ NODE_ENV: 'test', DATA_DIR: tmp(), WEBHOOK_RETRY_SCHEDULE: '100ms, 2s,1m,250' }).webhooks.retryScheduleMs).to.deep.equal([100, 2000, 60_000, 250]);
    for (const bad of ['soon', '5s,,5m', '0ms', '8d']) {
      expect(() => loadConfig({ NODE_ENV: 'test', DATA_DIR: tmp(), WEBHOOK_RETRY_SCHEDULE: bad })).to.throw(ConfigError, /WEBHOOK_RETRY_SCHEDULE/);
    }
  });
});
