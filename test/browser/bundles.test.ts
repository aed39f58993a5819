/**
 * The widget build and how the backend serves it: bundle sizes within budget (as recorded by
 * `npm run build` in dist/widgets/sizes.json), the Tailwind shadow-DOM fix, and the headers that
 * let pages on allowlisted origins load the widgets.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { CHUNK_FILE, ensureWidgetsBuilt, fixForShadowDom, OUT_DIR, overBudget, SIZES_FILE, WIDGETS, type SizesReport } from '../../scripts/build-widgets.ts';
import type { Browser } from 'playwright-core';
import { DESKTOP, launchBrowser, openPage } from '../helpers/browser.ts';
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
        expect(sizes.iife.chunks, 'a classic script is self-contained').to.equal(undefined);
        for (const bundle of [sizes.esm, sizes.iife]) {
          // An ES module counts with the shared chunks it imports.
          const files = [bundle.file, ...(bundle.chunks ?? [])].map((f) => path.join(OUT_DIR, f));
          expect(files.reduce((sum, f) => sum + fs.statSync(f).size, 0), bundle.file).to.equal(bundle.bytes);
          expect(bundle.gzip, `${bundle.file} gzip`).to.be.above(0).and.at.most(sizes.budget_gzip);
        }
      }
      expect(overBudget(report)).to.deep.equal([]);
    });

    it('puts the code the ES modules share into hashed chunks that every widget imports, not into each', () => {
      const chunksOf = WIDGETS.map((w) => report.widgets[w.name]!.esm.chunks ?? []);
      const common = chunksOf.reduce((a, b) => a.filter((c) => b.includes(c)));
      expect(common, 'a chunk imported by every widget').to.have.length.of.at.least(1);
      for (const chunk of chunksOf.flat()) expect(chunk).to.match(CHUNK_FILE);
      for (const widget of WIDGETS) {
        const entry = fs.readFileSync(path.join(OUT_DIR, `${widget.name}.js`), 'utf8');
        for (const chunk of common) expect(entry, widget.name).to.include(`from"./${chunk}"`);
        // The base element lives in the common chunk only.
        expect(entry, widget.name).not.to.include('adoptedStyleSheets');
      }
    });

    it('names a bundle over budget', () => {
      const over = structuredClone(report);
      over.widgets['notification-bell']!.esm.gzip = over.widgets['notification-bell']!.budget_gzip + 1;
      expect(overBudget(over)).to.have.length(1);
      expect(overBudget(over)[0]).to.match(/^notification-bell\.js \(/);
    });

    it('inlines one stylesheet per widget with the @property initial values made unconditional', () => {
      const bundle = fs.readFileSync(path.join(OUT_DIR, 'mentor-dashboard.js'), 'utf8');
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

    it('serves the shared chunks pre-compressed and immutable, loadable cross-origin', async () => {
      for (const chunk of report.widgets['notification-bell']!.esm.chunks!) {
        const res = await fetch(`${server.url}/widgets/${chunk}`, { headers: { Origin: 'https://elsewhere.test', 'Accept-Encoding': 'br' } });
        expect(res.status, chunk).to.equal(200);
        expect(res.headers.get('content-encoding')).to.equal('br');
        expect(res.headers.get('content-type')).to.match(/^text\/javascript/);
        expect(res.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
        expect(res.headers.get('access-control-allow-origin')).to.equal('*');
        expect(await res.text()).to.equal(fs.readFileSync(path.join(OUT_DIR, chunk), 'utf8'));
      }
    });

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

  describe('a page with the three widgets as ES modules', () => {
    let browser: Browser;
    before(async function () {
      browser = await launchBrowser(this);
    });
    after(() => browser?.close());

    it('loads their shared chunk once, and each widget keeps its own stylesheet', async () => {
      const context = await browser.newContext(DESKTOP);
      const page = await openPage(context);
      await page.route(`${server.url}/three-widgets`, (route) =>
        route.fulfill({
          contentType: 'text/html; charset=utf-8',
          body:
            '<!doctype html><title>Three widgets</title>' +
            WIDGETS.map((w) => `<script type="module" src="/widgets/${w.name}.js"></script>`).join('') +
            '<notification-bell></notification-bell><mentor-dashboard></mentor-dashboard><session-room session-id="1"></session-room>',
        }),
      );
      const requested: string[] = [];
      page.on('request', (request) => requested.push(new URL(request.url()).pathname));
      await page.goto(`${server.url}/three-widgets`);
      await page.waitForFunction(() => ['notification-bell', 'mentor-dashboard', 'session-room'].every((tag) => customElements.get(tag)));

      const scripts = requested.filter((p) => p.startsWith('/widgets/'));
      const chunks = scripts.filter((p) => p.startsWith('/widgets/chunks/'));
      expect(chunks.length, 'shared chunks fetched').to.be.at.least(1);
      expect(new Set(chunks).size, 'each chunk fetched once').to.equal(chunks.length);
      expect(scripts.filter((p) => !chunks.includes(p)).sort()).to.deep.equal(WIDGETS.map((w) => `/widgets/${w.name}.js`).sort());

      // One stylesheet per widget: the bell's `:host { display: inline-block }` stays the bell's.
      const styles = await page.evaluate(() =>
        ['notification-bell', 'mentor-dashboard', 'session-room'].map((tag) => {
          const el = document.querySelector(tag)!;
          return { sheets: el.shadowRoot!.adoptedStyleSheets.length, display: getComputedStyle(el).display };
        }),
      );
      expect(styles.map((s) => s.sheets)).to.deep.equal([1, 1, 1]);
      expect(styles[0]!.display).to.equal('inline-block');
      expect(styles[1]!.display).to.not.equal('inline-block');
      const distinct = await page.evaluate(
        () => new Set(['notification-bell', 'mentor-dashboard', 'session-room'].map((tag) => document.querySelector(tag)!.shadowRoot!.adoptedStyleSheets[0])).size,
      );
      expect(distinct).to.equal(3);
      await context.close();
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
