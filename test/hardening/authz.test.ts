/**
 * The authorization matrix (authz-matrix.ts) against the running server: every operation in
 * `openapi.yaml` × {owner, other mentor, unrelated learner, admin, anonymous}. Each operation gets
 * fresh records, and callers expected to fail go first, so a refusal that wrongly succeeded shows
 * up as its own mismatch instead of changing what the others see.
 */
import { expect } from 'chai';
import { loadSpec } from '../../src/openapi/spec.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { refusal, TestSocket } from '../realtime/client.ts';
import { AUTHZ_MATRIX, CALLERS, type Caller, type MatrixRow } from './authz-matrix.ts';
import { assertInvariants } from './invariants.ts';
import { buildPeople, buildRecords, pathFor, requestContext, tokensOf, type People, type Person } from './world.ts';

const spec = loadSpec();

/** The person whose token a caller presents (undefined: no token). */
function personOf(caller: Caller, row: MatrixRow): Person | undefined {
  if (caller === 'anonymous') return undefined;
  if (caller === 'owner') return row.owner === 'bookedLearner' ? 'bookedLearner' : 'owner';
  return caller;
}

async function handshakeStatus(url: string, token: string | undefined): Promise<number> {
  try {
    const socket = await TestSocket.open(url, token);
    await socket.close();
    return 101;
  } catch {
    return (await refusal(url, token)).status;
  }
}

describe('hardening: authorization matrix (every operation × every kind of caller)', function () {
  this.timeout(60000);
  let server: TestServer;
  let people: People;
  let tokens: Record<Person, string>;

  before(async () => {
    // Enough logins for the rows that need a fresh refresh token.
    server = await getTestServer({ LOGIN_RATE_LIMIT: '100' });
    people = await buildPeople(server.db);
    tokens = tokensOf(server, people);
  });
  after(() => server?.close());

  it('has exactly one row per operation in openapi.yaml', () => {
    const operations = [...spec.operations.keys()];
    const missing = operations.filter((id) => !AUTHZ_MATRIX[id]);
    const stale = Object.keys(AUTHZ_MATRIX).filter((id) => !spec.operations.has(id));
    expect(missing, 'operations without a row in test/hardening/authz-matrix.ts').to.deep.equal([]);
    expect(stale, 'rows for operations no longer in openapi.yaml').to.deep.equal([]);
  });

  for (const op of spec.operations.values()) {
    it(`${op.operationId}: ${op.method.toUpperCase()} ${op.path}`, async () => {
      const row = AUTHZ_MATRIX[op.operationId];
      if (!row) throw new Error(`${op.operationId} has no row in test/hardening/authz-matrix.ts: declare who may call it`);
      const records = await buildRecords(server.db, people);
      const context = requestContext(server, people, records);
      const path = pathFor(op, row.target, people, records);
      const succeeds = (c: Caller) => row.expect[c] < 300;
      const order = [...CALLERS].sort((a, b) => Number(succeeds(a)) - Number(succeeds(b)));
      const mismatches: string[] = [];
      for (const caller of order) {
        const person = personOf(caller, row);
        const token = person ? tokens[person] : undefined;
        let status: number;
        if (row.transport === 'websocket') {
          status = await handshakeStatus(server.url, token);
        } else {
          const url = row.query ? `${path}?${row.query}` : path;
          const body = row.body ? await row.body(context) : undefined;
          const res = await server.api.request(op.method.toUpperCase(), url, { token, body });
          status = res.status;
          if (status >= 400) expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
        }
        if (status !== row.expect[caller]) mismatches.push(`${caller}: expected ${row.expect[caller]}, got ${status}`);
      }
      expect(mismatches, `${op.operationId} ${path}`).to.deep.equal([]);
    });
  }

  it('leaves every data rule intact', async () => {
    await assertInvariants(server.db);
  });
});
