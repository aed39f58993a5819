/**
 * Parallel refreshes with one refresh token (two tabs, a retried request) must not look like theft:
 * for JWT_REFRESH_GRACE_SECONDS after a token is spent, presenting it again answers its unused
 * successor. Outside that window, or once the successor has been used, reuse still revokes the family.
 */
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { RefreshToken } from '../../src/models/index.ts';
import { buildLearner, PASSWORD } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';

const jtiOf = (token: string) => (jwt.decode(token) as { jti: string }).jti;

describe('refresh tokens: grace window for the immediately previous token', function () {
  this.timeout(60000);
  let server: TestServer;
  before(async () => {
    server = await getTestServer({ JWT_REFRESH_GRACE_SECONDS: '20' });
  });
  after(() => server.close());

  async function login() {
    const user = await buildLearner(server.db);
    const res = await server.api.post('/api/auth/token/', { username: user.username, password: PASSWORD });
    expect(res.status).to.equal(200);
    return res.body.refresh as string;
  }
  const refresh = (token: string) => server.api.post('/api/auth/token/refresh/', { refresh: token });
  const familyRevoked = async (token: string) => {
    const row = await RefreshToken.query(server.db).findById(jtiOf(token));
    const rows = await RefreshToken.query(server.db).where({ family_id: row!.family_id });
    return rows.every((r) => r.revoked_at !== null);
  };
  /** Moves the moment `token` was spent `seconds` into the past. */
  const ageSpent = (token: string, seconds: number) =>
    server.db('refresh_tokens').where({ id: jtiOf(token) }).update({ used_at: new Date(Date.now() - seconds * 1000) });

  it('ten parallel refreshes with the same token all succeed with one successor, and the family lives on', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const r1 = await login();
      const answers = await Promise.all(Array.from({ length: 10 }, () => refresh(r1)));
      expect(answers.map((a) => a.status)).to.deep.equal(Array(10).fill(200));
      const successors = new Set(answers.map((a) => jtiOf(a.body.refresh)));
      expect(successors.size, 'every caller holds the same successor').to.equal(1);
      expect(await familyRevoked(r1)).to.equal(false);
      for (const a of answers) expect(a.body.refresh_expires_in).to.be.within(1, server.config.jwt.refreshTtlSeconds);
      // The successor is an ordinary refresh token: it rotates once more.
      const next = await refresh(answers[0]!.body.refresh);
      expect(next.status).to.equal(200);
      expect(jtiOf(next.body.refresh)).not.to.be.oneOf([...successors, jtiOf(r1)]);
    }
  });

  it('the token re-issued during the grace works like the first answer (either copy may rotate it)', async () => {
    const r1 = await login();
    const first = await refresh(r1);
    const again = await refresh(r1);
    expect(again.status).to.equal(200);
    expect(jtiOf(again.body.refresh)).to.equal(jtiOf(first.body.refresh));
    expect((await refresh(again.body.refresh)).status).to.equal(200);
  });

  it('reuse after the grace window revokes the family', async () => {
    const r1 = await login();
    const r2 = (await refresh(r1)).body.refresh;
    await ageSpent(r1, 21);
    const reuse = await refresh(r1);
    expect(reuse.status).to.equal(401);
    expect(reuse.body.code).to.equal('refresh_token_reused');
    expect(await familyRevoked(r1)).to.equal(true);
    expect((await refresh(r2)).status).to.equal(401);
  });

  it('an older token is not covered once its successor was used, even within the grace', async () => {
    const r1 = await login();
    const r2 = (await refresh(r1)).body.refresh;
    const r3 = (await refresh(r2)).body.refresh;
    const reuse = await refresh(r1);
    expect(reuse.status).to.equal(401);
    expect(reuse.body.code).to.equal('refresh_token_reused');
    expect((await refresh(r3)).status).to.equal(401);
  });

  it('a logged-out family stays revoked within the grace', async () => {
    const r1 = await login();
    const r2 = (await refresh(r1)).body.refresh;
    expect((await server.api.post('/api/auth/logout/', { refresh: r2 })).status).to.equal(204);
    expect((await refresh(r1)).status).to.equal(401);
    expect((await refresh(r2)).status).to.equal(401);
  });

  it('with JWT_REFRESH_GRACE_SECONDS=0 any second use is reuse', async () => {
    const strict = await getTestServer({ JWT_REFRESH_GRACE_SECONDS: '0' });
    try {
      const user = await buildLearner(strict.db);
      const r1 = (await strict.api.post('/api/auth/token/', { username: user.username, password: PASSWORD })).body.refresh;
      expect((await strict.api.post('/api/auth/token/refresh/', { refresh: r1 })).status).to.equal(200);
      const reuse = await strict.api.post('/api/auth/token/refresh/', { refresh: r1 });
      expect(reuse.body.code).to.equal('refresh_token_reused');
    } finally {
      await strict.close();
    }
  });
});
