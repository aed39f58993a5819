/**
 * Login throttling and the registration limit, with client addresses simulated through
 * X-Forwarded-For (TRUST_PROXY=true). Guessing is slowed per (username, address), per address and
 * per username, but the owner's correct password from an address they recently logged in from is
 * never refused because of someone else's guesses.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import { clientAddress } from '../../src/services/loginThrottle.ts';
import { buildLearner, PASSWORD } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';

const WINDOW = 900;

describe('login throttling', function () {
  this.timeout(120000);
  let server: TestServer;
  before(async () => {
    server = await getTestServer({
      TRUST_PROXY: 'true',
      LOGIN_RATE_LIMIT: '5',
      LOGIN_RATE_WINDOW_SECONDS: String(WINDOW),
      LOGIN_ADDRESS_LIMIT: '30',
      LOGIN_USER_LIMIT: '12',
      LOGIN_USER_WINDOW_SECONDS: '3600',
    });
  });
  after(() => server.close());

  const from = (address: string) => ({ headers: { 'X-Forwarded-For': address } });
  const login = (username: string, password: string, address: string) =>
    server.api.post('/api/auth/token/', { username, password }, from(address));
  const wrong = () => `wrong-${crypto.randomBytes(4).toString('hex')}`;
  let addresses = 0;
  /** A fresh client address per call, so tests do not share counters. */
  const fresh = () => `10.${(++addresses >> 8) & 255}.${addresses & 255}.${1 + (addresses % 200)}`;

  it("10 wrong passwords for VICTIM from A: A is held back, the victim's usual address B still logs in", async () => {
    const victim = await buildLearner(server.db);
    const [a, b] = [fresh(), fresh()];
    expect((await login(victim.username, PASSWORD, b)).status, 'the victim usually signs in from B').to.equal(200);

    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await login(victim.username, wrong(), a);
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.body.code).to.equal('rate_limited');
        expect(Number(res.headers.get('retry-after'))).to.be.within(1, WINDOW);
      }
    }
    expect(statuses).to.deep.equal([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    // Even the right password is not checked from A any more…
    expect((await login(victim.username, PASSWORD, a)).status).to.equal(429);
    // …while B, and a first-time address C (the account is not under a wide attack), get in.
    expect((await login(victim.username, PASSWORD, b)).status).to.equal(200);
    expect((await login(victim.username, PASSWORD, fresh())).status).to.equal(200);
  });

  it('counts the address the proxy added, not the X-Forwarded-For entries a client made up', async () => {
    const victim = await buildLearner(server.db);
    const a = fresh();
    for (let i = 0; i < 5; i++) expect((await login(victim.username, wrong(), `203.0.113.${i}, ${a}`)).status).to.equal(401);
    expect((await login(victim.username, wrong(), `198.51.100.77, ${a}`)).status).to.equal(429);
  });

  it('the 429 does not renew itself: throttled attempts are not counted', async () => {
    const victim = await buildLearner(server.db);
    const a = fresh();
    for (let i = 0; i < 5; i++) expect((await login(victim.username, wrong(), a)).status).to.equal(401);
    const first = await login(victim.username, wrong(), a);
    for (let i = 0; i < 20; i++) await login(victim.username, wrong(), a);
    const later = await login(victim.username, wrong(), a);
    expect(later.status).to.equal(429);
    expect(Number(later.headers.get('retry-after'))).to.be.at.most(Number(first.headers.get('retry-after')));
  });

  it('guesses from many addresses: past the per-username limit only known addresses may log in', async () => {
    const victim = await buildLearner(server.db);
    const home = fresh();
    expect((await login(victim.username, PASSWORD, home)).status).to.equal(200);
    // 3 attackers × 4 guesses = 12 failures for this username (each pair stays under its limit of 5).
    for (const attacker of [fresh(), fresh(), fresh()]) {
      for (let i = 0; i < 4; i++) expect((await login(victim.username, wrong(), attacker)).status).to.equal(401);
    }
    const elsewhere = await login(victim.username, PASSWORD, fresh());
    expect(elsewhere.status).to.equal(429);
    expect(Number(elsewhere.headers.get('retry-after'))).to.be.within(1, 3600);
    expect((await login(victim.username, wrong(), fresh())).status).to.equal(429);
    expect((await login(victim.username, PASSWORD, home)).status, 'the owner at home').to.equal(200);
    // Another account is untouched.
    const other = await buildLearner(server.db);
    expect((await login(other.username, PASSWORD, fresh())).status).to.equal(200);
  });

  it('spraying 50 usernames from one address is limited; the address keeps its own known accounts', async () => {
    const nat = fresh();
    const regular = await buildLearner(server.db);
    expect((await login(regular.username, PASSWORD, nat)).status).to.equal(200);
    const newcomer = await buildLearner(server.db);

    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      const target = i % 2 ? (await buildLearner(server.db)).username : `nobody_${crypto.randomBytes(4).toString('hex')}`;
      statuses.push((await login(target, wrong(), nat)).status);
    }
    expect(statuses.slice(0, 30)).to.deep.equal(Array(30).fill(401));
    expect(statuses.slice(30)).to.deep.equal(Array(20).fill(429));
    expect((await login(regular.username, PASSWORD, nat)).status, 'a user who signs in from here').to.equal(200);
    expect((await login(newcomer.username, PASSWORD, nat)).status, 'first sign-in from the spraying address').to.equal(429);
    expect((await login(newcomer.username, PASSWORD, fresh())).status, 'the same user elsewhere').to.equal(200);
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped address as IPv4', () => {
    expect(clientAddress('2001:db8:1:2:aaaa::1')).to.equal(clientAddress('2001:db8:1:2:bbbb::2'));
    expect(clientAddress('2001:db8:1:2::1')).to.equal('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8:1:3::1')).not.to.equal(clientAddress('2001:db8:1:2::1'));
    expect(clientAddress('::ffff:192.0.2.7')).to.equal('192.0.2.7');
    expect(clientAddress('192.0.2.7')).to.equal('192.0.2.7');
  });
});

describe('registration limit', function () {
  this.timeout(60000);
  let server: TestServer;
  before(async () => {
    server = await getTestServer({ TRUST_PROXY: 'true', REGISTER_RATE_LIMIT: '3', REGISTER_RATE_WINDOW_SECONDS: '3600' });
  });
  after(() => server.close());

  const register = (address: string) => {
    const name = `reg_${crypto.randomBytes(4).toString('hex')}`;
    return server.api.post(
      '/api/auth/register/',
      { username: name, email: `${name}@example.test`, password: 'a-long-password', role: 'learner' },
      { headers: { 'X-Forwarded-For': address } },
    );
  };

  it('allows REGISTER_RATE_LIMIT registrations per address and window, then 429 with Retry-After', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await register('198.51.100.1')).status);
    expect(statuses).to.deep.equal([201, 201, 201]);
    const limited = await register('198.51.100.1');
    expect(limited.status).to.equal(429);
    expect(limited.body.code).to.equal('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 3600);
    expect((await register('198.51.100.2')).status, 'another address').to.equal(201);
  });

  it('holds under a burst of parallel registrations from one address', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => register('198.51.100.3')));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).to.deep.equal([...Array(3).fill(201), ...Array(17).fill(429)]);
  });

  it('counts attempts refused as taken too (each costs the server the same work)', async () => {
    const name = `reg_${crypto.randomBytes(4).toString('hex')}`;
    const body = { username: name, email: `${name}@example.test`, password: 'a-long-password', role: 'learner' };
    const opts = { headers: { 'X-Forwarded-For': '198.51.100.4' } };
    expect((await server.api.post('/api/auth/register/', body, opts)).status).to.equal(201);
    expect((await server.api.post('/api/auth/register/', body, opts)).status).to.equal(409);
    expect((await server.api.post('/api/auth/register/', body, opts)).status).to.equal(409);
    expect((await server.api.post('/api/auth/register/', body, opts)).status).to.equal(429);
  });
});
