/**
 * What logout revokes: the access tokens of that login (REST 401 `token_revoked`) and its open
 * WebSockets (closed with 4001), at once rather than when the tokens expire. The same holds when a
 * spent refresh token is presented again. Other logins of the same user are untouched.
 */
import { expect } from 'chai';
import { SIGNED_OUT_REASON } from '../../src/realtime/families.ts';
import { buildLearner, PASSWORD } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { refusal, TestSocket } from './client.ts';

describe('logout revokes access tokens and sockets', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer();
  });
  after(() => server.close());

  async function signIn(username: string): Promise<{ access: string; refresh: string }> {
    const res = await server.api.post('/api/auth/token/', { username, password: PASSWORD });
    expect(res.status).to.equal(200);
    return res.body;
  }

  it('answers the logged-out access token 401 at once and closes its sockets with 4001; another login keeps working', async () => {
    const learner = await buildLearner(server.db);
    const [phone, laptop] = [await signIn(learner.username), await signIn(learner.username)];
    const sockets = [await TestSocket.open(server.url, phone.access), await TestSocket.open(server.url, phone.access)];
    const other = await TestSocket.open(server.url, laptop.access);
    expect((await server.api.get('/api/notifications/', { token: phone.access })).status).to.equal(200);

    expect((await server.api.post('/api/auth/logout/', { refresh: phone.refresh })).status).to.equal(204);
    const refused = await server.api.get('/api/notifications/', { token: phone.access });
    expect(refused.status).to.equal(401);
    expect(refused.body).to.include({ code: 'token_revoked' });
    for (const socket of sockets) expect(await socket.closed).to.deep.equal({ code: 4001, reason: SIGNED_OUT_REASON });
    const reopened = await refusal(server.url, phone.access);
    expect(reopened).to.deep.include({ status: 401 });
    expect(reopened.body).to.include({ code: 'token_revoked' });

    // The other login of the same user is not affected, and cannot adopt the revoked token.
    expect((await server.api.get('/api/notifications/', { token: laptop.access })).status).to.equal(200);
    expect(await other.request({ type: 'auth', token: phone.access })).to.include({ type: 'error', code: 'auth_failed' });
    await other.sync();
    await other.close();
  });

  it('revokes the access tokens of a family whose spent refresh token is presented again', async () => {
    const learner = await buildLearner(server.db);
    const first = await signIn(learner.username);
    const second = await server.api.post('/api/auth/token/refresh/', { refresh: first.refresh });
    // Two rotations, so the replayed token is not the one just spent (whatever grace that may get).
    const rotated = await server.api.post('/api/auth/token/refresh/', { refresh: second.body.refresh });
    expect(rotated.status).to.equal(200);
    const socket = await TestSocket.open(server.url, rotated.body.access);
    const replayed = await server.api.post('/api/auth/token/refresh/', { refresh: first.refresh });
    expect(replayed.body).to.include({ code: 'refresh_token_reused' });
    expect((await server.api.get('/api/notifications/', { token: rotated.body.access })).body).to.include({ code: 'token_revoked' });
    expect((await socket.closed).code).to.equal(4001);
  });
});
