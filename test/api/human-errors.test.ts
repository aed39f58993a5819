/**
 * Field errors in words: a failed `pattern` or `format` is phrased by the schema's
 * `x-error-message` (or a known format's wording), never as the regular expression, so the
 * widgets and the CLI can show the API's text as it is.
 */
import { expect } from 'chai';
import YAML from 'yaml';
import fs from 'node:fs';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildMentor, tokenFor } from '../helpers/factories.ts';
import { SPEC_PATH } from '../../src/openapi/spec.ts';

describe('human field errors', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer();
  });
  after(() => server.close());

  const fieldMessage = (body: { errors?: Array<{ path: string; message: string }> }, path: string) =>
    body.errors?.find((e) => e.path === path)?.message;

  it('phrases a price with three decimals and an hourly rate with a comma in words', async () => {
    const mentor = await buildMentor(server.db);
    const token = tokenFor(server, mentor);
    const start = new Date(Date.now() + 86_400_000).toISOString();
    const session = await server.api.post('/api/sessions/', { title: 'Pricing', start_time: start, duration: 60, price: '12.345' }, { token });
    expect(session.status).to.equal(400);
    expect(fieldMessage(session.body, 'price')).to.equal('must be a decimal amount with at most two decimals, e.g. 12.50');
    expect(session.body.detail).to.include('must be a decimal amount').and.not.include('must match pattern');

    const profile = await server.api.patch('/api/profile/', { hourly_rate: '80,50' }, { token });
    expect(profile.status).to.equal(400);
    expect(fieldMessage(profile.body, 'hourly_rate')).to.equal('must be a decimal amount with at most two decimals, e.g. 12.50');
  });

  it('says "must be a valid email address" instead of naming the format', async () => {
    const mentor = await buildMentor(server.db);
    const res = await server.api.patch('/api/profile/', { email: 'not-an-address' }, { token: tokenFor(server, mentor) });
    expect(res.status).to.equal(400);
    expect(fieldMessage(res.body, 'email')).to.equal('must be a valid email address');
  });

  it('gives every pattern a request can fail an x-error-message in openapi.yaml', () => {
    const missing: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}/${i}`));
      if (!node || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      if (typeof record.pattern === 'string' && typeof record['x-error-message'] !== 'string') missing.push(where);
      for (const [key, value] of Object.entries(record)) walk(value, `${where}/${key}`);
    };
    const doc = YAML.parse(fs.readFileSync(SPEC_PATH, 'utf8'));
    walk(doc.paths, '#/paths');
    // WebSocket frames are written by programs: their errors keep the schema's own terms.
    for (const [name, schema] of Object.entries(doc.components.schemas)) if (!name.startsWith('Ws')) walk(schema, `#/components/schemas/${name}`);
    expect(missing).to.deep.equal([]);
  });
});
