/**
 * The widget build and how the backend serves it: bundle sizes within budget (as recorded by
 * `npm run build` in dist/widgets/sizes.json), the Tailwind shadow-DOM fix, and the headers that
 * let pages on allowlisted origins load the widgets.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ensureWidgetsBuilt, fixForShadowDom, OUT_DIR, overBudget, SIZES_FILE, WIDGETS, type SizesReport } from '../../scripts/build-widgets.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';

const ALLOWED = 'http://embedder.test:8080';

describe('widget bundles', () => {
  let server: TestServer;
  let report: SizesReport;

  before(async function () {
    this.timeout(60_000);
    await ensureWidgetsBuilt();
    report = JSON.parse(fs.readFileSync(SIZES_FILE, 'utf8')) as SizesReport;
    server = await getTestServer({ CORS_ORIGINS: ALLOWED });
  });
  after(() => server.close());

  describe('npm run build', () => {
    it('builds <mentor-booking> within its 25 KiB gzip budget', () => {
      expect(WIDGETS.find((w) => w.name === 'mentor-booking')?.budgetKb).to.equal(25);
      const sizes = report.widgets['mentor-booking']!;
      expect(sizes.esm.gzip).to.be.at.most(25 * 1024);
      expect(sizes.iife.gzip).to.be.at.most(25 * 1024);
    });

    it('records the gzip size of every bundle, each within its budget', () => {
      expect(Object.keys(report.widgets).sort()).to.deep.equal(WIDGETS.map((w) => w.name).sort());
      for (const widget of WIDGETS) {
        const sizes = report.widgets[widget.name]!;
        expect(sizes.budget_gzip).to.equal(widget.budgetKb * 1024);
        for (const bundle of [sizes.esm, sizes.iife]) {
          const file = path.join(OUT_DIR, bundle.file);
          expect(fs.statSync(file).size, bundle.file).to.equal(bundle.bytes);
          expect(bundle.gzip, `${bundle.file} gzip`).to.be.above(0).and.at.most(sizes.budget_gzip);
        }
      }
      expect(overBudget(report)).to.deep.equal([]);
    });

    it('names a bundle over budget', () => {
      const over = structuredClone(report);
      over.widgets['notification-bell']!.esm.gzip = over.widgets['notification-bell']!.budget_gzip + 1;
      expect(overBudget(over)).to.have.length(1);
      expect(overBudget(over)[0]).to.match(/^notification-bell\.js \(/);
    });

    it('inlines one stylesheet per bundle with the @property initial values made unconditional', () => {
      const bundle = fs.readFileSync(path.join(OUT_DIR, 'mentor-dashboard.js'), 'utf8');
      expect(bundle).to.include('adoptedStyleSheets');
      expect(bundle).to.include('--tw-border-style:solid');
      expect(bundle).not.to.match(/@property\s/);
      expect(bundle).not.to.include('@supports (((-webkit-hyphens');
    });
  });

  describe('fixForShadowDom', () => {
    it('moves the fallback out of @supports and drops @property rules', () => {
      const css =
        '@layer properties{@supports (((-webkit-hyphens:none)) and (not (margin-trim:block))){*,:before,:after,::backdrop{--tw-border-style:solid;--tw-shadow:0 0 #0000}}}' +
        '@layer utilities{.border{border-style:var(--tw-border-style);border-width:1px}}' +
        '@property --tw-border-style{syntax:"*";inherits:false;initial-value:solid}@property --tw-shadow{syntax:"*";inherits:false;initial-value:0 0 #0000}';
      expect(fixForShadowDom(css)).to.equal(
        '@layer properties{*,:before,:after,::backdrop{--tw-border-style:solid;--tw-shadow:0 0 #0000}}' +
          '@layer utilities{.border{border-style:var(--tw-border-style);border-width:1px}}',
      );
    });

    it('leaves CSS without such variables alone', () => {
      expect(fixForShadowDom('.flex{display:flex}')).to.equal('.flex{display:flex}');
    });
  });

  describe('GET /widgets/*', () => {
    for (const file of ['notification-bell.js', 'notification-bell.iife.js', 'mentor-dashboard.js', 'mentor-dashboard.iife.js', 'mentor-booking.js', 'mentor-booking.iife.js']) {
      it(`serves ${file} to an allowlisted origin, cacheable and loadable cross-origin`, async () => {
        const res = await fetch(`${server.url}/widgets/${file}`, { headers: { Origin: ALLOWED } });
        expect(res.status).to.equal(200);
        expect(res.headers.get('content-type')).to.match(/^text\/javascript/);
        expect(res.headers.get('access-control-allow-origin')).to.equal(ALLOWED);
        expect(res.headers.get('vary')).to.match(/Origin/i);
        expect(res.headers.get('cross-origin-resource-policy')).to.equal('cross-origin');
        expect(res.headers.get('cache-control')).to.equal('max-age=300');
        const lastModified = res.headers.get('last-modified');
        expect(lastModified).to.be.a('string');
        expect((await res.text()).length).to.equal(fs.statSync(path.join(OUT_DIR, file)).size);

        // A browser revalidating its cached copy (fetch() would add `Cache-Control: no-cache` itself).
        const again = await fetch(`${server.url}/widgets/${file}`, { headers: { 'If-Modified-Since': lastModified!, 'Cache-Control': 'max-age=0' } });
        expect(again.status).to.equal(304);
      });
    }

    it('lets other origins load the public code too, so the widget can say that the API refuses them', async () => {
      const res = await fetch(`${server.url}/widgets/notification-bell.js`, { headers: { Origin: 'https://elsewhere.test' } });
      expect(res.status).to.equal(200);
      expect(res.headers.get('access-control-allow-origin')).to.equal('*');
      const api = await fetch(`${server.url}/api/profile/`, { headers: { Origin: 'https://elsewhere.test' } });
      expect(api.headers.get('access-control-allow-origin')).to.equal(null);
    });

    it('serves nothing but built assets', async () => {
      for (const probe of ['/widgets/sizes.json', '/widgets/nope.js', '/widgets/%2e%2e/%2e%2e/package.json', '/widgets/pages/../../../package.json']) {
        const res = await server.api.get(probe);
        expect(res.status, probe).to.equal(404);
      }
    });
  });

  describe('host pages', () => {
    for (const page of ['/login', '/dashboard', '/mentors', '/mentors/1', '/embed-example']) {
      it(`${page} is HTML without inline scripts, under a script-src 'self' policy`, async () => {
        const res = await fetch(`${server.url}${page}`);
        expect(res.status).to.equal(200);
        expect(res.headers.get('content-type')).to.equal('text/html; charset=utf-8');
        expect(res.headers.get('content-security-policy')).to.match(/script-src 'self'(;|$)/);
        const html = await res.text();
        const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
        expect(scripts.length).to.be.above(0);
        for (const tag of scripts) expect(tag, 'every script is external').to.match(/\ssrc="/);
        expect(html).not.to.match(/\son[a-z]+="/i);
      });
    }

    it('fills the embedding example with the API origin', async () => {
      const html = await (await fetch(`${server.url}/embed-example`)).text();
      expect(html).not.to.include('{{API_ORIGIN}}');
      // The page loads the content-hashed file (dist/widgets/manifest.json).
      expect(html).to.match(new RegExp(`<script type="module" src="${server.url}/widgets/notification-bell\\.[0-9a-f]{10}\\.js"></script>`));
      expect(html).to.include(`<mentor-dashboard api-base="${server.url}"`);
    });

    it('redirects / to the dashboard', async () => {
      const res = await fetch(`${server.url}/`, { redirect: 'manual' });
      expect(res.status).to.equal(302);
      expect(res.headers.get('location')).to.equal('/dashboard');
    });
  });
});
