/**
 * What a third party reads: /openapi.json, the WebSocket protocol as AsyncAPI 3.0 at
 * /asyncapi.yaml (valid, and describing every `Ws*` message of openapi.yaml), a page behind every
 * problem `type`, and YAML that parsers of YAML 1.1 read the same as YAML 1.2 ones.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import YAML from 'yaml';
import * as jsyaml from 'js-yaml';
import { Parser, fromURL } from '@asyncapi/parser';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { SPEC_PATH } from '../../src/openapi/spec.ts';
import { PROBLEMS } from '../../src/problems.ts';

const DOCUMENTS = [SPEC_PATH, path.join(path.dirname(SPEC_PATH), 'asyncapi.yaml')];

describe('documents for third parties', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer();
  });
  after(() => server.close());

  it('serves the contract as JSON at /openapi.json, equal to /openapi.yaml', async () => {
    const json = await server.api.get('/openapi.json');
    expect(json.status).to.equal(200);
    expect(json.headers.get('content-type')).to.match(/^application\/json/);
    expect(json.body).to.deep.equal(YAML.parse(fs.readFileSync(SPEC_PATH, 'utf8')));
  });

  it('serves a valid AsyncAPI 3.0 document at /asyncapi.yaml whose messages are the Ws* schemas', async () => {
    const res = await server.api.get('/asyncapi.yaml');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/yaml/);
    // Parsed from the server, so its `openapi.yaml#/…` references resolve against /openapi.yaml.
    const { document, diagnostics } = await fromURL(new Parser(), `${server.url}/asyncapi.yaml`).parse();
    const errors = diagnostics.filter((d) => d.severity === 0).map((d) => `${d.code}: ${d.message} at ${d.path.join('/')}`);
    expect(errors).to.deep.equal([]);
    expect(document!.version()).to.equal('3.0.0');
    expect(document!.channels().all().map((c) => c.address())).to.deep.equal(['/ws']);

    const spec = YAML.parse(fs.readFileSync(SPEC_PATH, 'utf8'));
    const members = (name: string) => spec.components.schemas[name].oneOf.map((s: { $ref: string }) => s.$ref.split('/').pop());
    const raw = YAML.parse(res.text);
    const refsOf = (operation: string) =>
      raw.operations[operation].messages.map((m: { $ref: string }) => raw.channels.ws.messages[m.$ref.split('/').pop()!].$ref.split('/').pop());
    expect(refsOf('send')).to.deep.equal(members('WsClientMessage'));
    expect(refsOf('receive')).to.deep.equal(members('WsServerMessage'));
    for (const name of [...members('WsClientMessage'), ...members('WsServerMessage')]) {
      expect(raw.components.messages[name].payload.$ref).to.equal(`openapi.yaml#/components/schemas/${name}`);
    }
    const welcome = document!.messages().all().find((m) => m.name() === 'welcome');
    expect(welcome?.payload()?.properties()?.type?.const()).to.equal('welcome');
  });

  it('answers every problem type URI with a page saying when it happens and what to do', async () => {
    const refused = await server.api.get('/api/sessions/999999/');
    expect(refused.body.type).to.equal('/problems/unauthorized');
    const page = await server.api.get(refused.body.type, { unchecked: true });
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    expect(page.text).to.include('When it happens').and.include('What to do').and.not.include('<script');

    const index = await server.api.get('/problems', { unchecked: true });
    for (const p of PROBLEMS) {
      expect(index.text, p.code).to.include(`href="/problems/${p.code}"`);
      const one = await server.api.get(`/problems/${p.code}`, { unchecked: true });
      expect(one.status, p.code).to.equal(200);
    }
    expect((await server.api.get('/problems/no_such_code', { unchecked: true })).status).to.equal(404);
  });

  it('serves Redoc without a reference to another origin (its CDN logo)', async () => {
    const bundle = await (await fetch(`${server.url}/docs/redoc.standalone.js`)).text();
    expect(bundle.length).to.be.greaterThan(100_000);
    expect(bundle).not.to.include('https://cdn.');
  });

  it('publishes YAML that YAML 1.1 parsers (PyYAML, js-yaml, yaml in 1.1 mode) read the same', () => {
    for (const file of DOCUMENTS) {
      const text = fs.readFileSync(file, 'utf8');
      const reference = YAML.parse(text);
      expect(YAML.parse(text, { version: '1.1' }), `${file} as YAML 1.1`).to.deep.equal(reference);
      expect(jsyaml.load(text), `${file} with js-yaml`).to.deep.equal(reference);
      // Inside [ ] and { }, YAML 1.1 scanners stop a plain scalar at `?`, `&`, `#`…: quote those.
      const unquoted: string[] = [];
      YAML.visit(YAML.parseDocument(text), {
        Scalar(_key, node, ancestors) {
          const inFlow = ancestors.some((a) => (YAML.isSeq(a) || YAML.isMap(a)) && a.flow);
          if (inFlow && node.type === 'PLAIN' && /[?:&*!|>'"%@`#]/.test(String(node.value))) unquoted.push(String(node.value));
        },
      });
      expect(unquoted, `${path.basename(file)}: plain scalars to quote`).to.deep.equal([]);
    }
  });
});
