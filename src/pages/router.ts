/**
 * Serves the built widgets (`/widgets/*.js`, from dist/widgets, built by `npm run build`) and the
 * host pages (`/login`, `/dashboard`, `/room/{id}`, `/mentors`, `/mentors/{id}`, `/embed-example`).
 *
 * Widgets are loaded by pages on other origins: the CORS header comes from the app-wide allowlist
 * middleware (CORS_ORIGINS), `*` for other origins (a refused page still gets the widget, which
 * then says why it cannot sign in), and `Cross-Origin-Resource-Policy: cross-origin` from the
 * security headers. Each file exists under its stable name (`/widgets/<name>.js`,
 * what embedders use: cached briefly, then revalidated) and under a content-hashed one
 * (`/widgets/<name>.<hash>.js`: cached for a year as immutable), both pre-compressed (`.br`, `.gz`,
 * sent by Accept-Encoding). Our pages reference the hashed URLs (dist/widgets/manifest.json); they
 * themselves are always revalidated.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';
import send from 'koa-send';
import type { Config } from '../config.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const WIDGETS_DIR = path.resolve(HERE, '..', '..', 'dist', 'widgets');
// From the project root, so the compiled bundle (dist/server/server.js, as deep as this file) finds it too.
const HTML_DIR = path.resolve(HERE, '..', '..', 'src', 'pages', 'html');

/** Widget bundles, their source maps, page scripts and the pages' stylesheet; nothing else. */
const WIDGET_FILE = /^((pages\/)?[a-z][a-z0-9-]*(\.iife)?(\.[0-9a-f]{10})?\.(js|js\.map|css|css\.map)|chunks\/chunk-[A-Z0-9]{8}\.js(\.map)?)$/;
/** Ours (`<name>.<hash>.js`) and esbuild's shared chunks of the ES modules (`chunks/chunk-<HASH>.js`). */
const HASHED_FILE = /(\.[0-9a-f]{10}\.(js|css)|^chunks\/chunk-[A-Z0-9]{8}\.js)$/;
const WIDGET_MAX_AGE_MS = 5 * 60_000;
const IMMUTABLE = 'public, max-age=31536000, immutable';
const MANIFEST_FILE = path.join(WIDGETS_DIR, 'manifest.json');

interface Page {
  match: RegExp;
  file: string;
}

/** Add a page here (and its HTML under src/pages/html/, its script under src/pages/scripts/). */
const PAGES: Page[] = [
  { match: /^\/login$/, file: 'login.html' },
  { match: /^\/dashboard$/, file: 'dashboard.html' },
  { match: /^\/embed-example$/, file: 'embed-example.html' },
  { match: /^\/room\/\d+$/, file: 'room.html' },
  { match: /^\/mentors(\/\d+)?$/, file: 'mentors.html' },
];

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The page HTML. `{{API_ORIGIN}}` (used by the embedding example, which loads the widgets from the
 * API's origin) becomes `apiOrigin`, HTML-escaped.
 */
export async function renderPage(file: string, apiOrigin: string): Promise<string> {
  const html = await fs.readFile(path.join(HTML_DIR, file), 'utf8');
  return withHashedAssets(html, await readManifest()).replaceAll('{{API_ORIGIN}}', escapeHtml(apiOrigin));
}

async function readManifest(): Promise<Record<string, string>> {
  try {
    return JSON.parse(await fs.readFile(MANIFEST_FILE, 'utf8')) as Record<string, string>;
  } catch {
    return {}; // not built yet: the stable names still work
  }
}

/**
 * `<script src="…/widgets/x.js">` and `<link href="…/widgets/pages/pages.css">` tags point at the
 * content-hashed files. Only real tags: the escaped snippets the embedding example shows
 * (`&lt;script …`) keep the stable URLs embedders should use.
 */
export function withHashedAssets(html: string, manifest: Record<string, string>): string {
  return html.replace(/(<(?:script|link)\b[^>]*?\s(?:src|href)="[^"]*?\/widgets\/)([^"?#]+)"/g, (tag, prefix: string, name: string) =>
    manifest[name] ? `${prefix}${manifest[name]}"` : tag,
  );
}

export function pagesAndWidgets(config: Config): Middleware {
  return async function pagesAndWidgets(ctx, next) {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();

    if (ctx.path.startsWith('/widgets/')) {
      const rel = ctx.path.slice('/widgets/'.length);
      if (!WIDGET_FILE.test(rel)) return next();
      // Public code: any page may load it, so a page whose origin the API refuses still gets the
      // widget, which then says why it cannot sign in (origins in CORS_ORIGINS get their own).
      if (!ctx.response.get('Access-Control-Allow-Origin')) ctx.set('Access-Control-Allow-Origin', '*');
      const hashed = HASHED_FILE.test(rel);
      try {
        await send(ctx, rel, {
          root: WIDGETS_DIR,
          maxage: WIDGET_MAX_AGE_MS,
          // The .br / .gz beside the file, by Accept-Encoding (koa-send's default).
          brotli: true,
          gzip: true,
          setHeaders: hashed ? (res) => res.setHeader('Cache-Control', IMMUTABLE) : undefined,
        });
      } catch {
        return next(); // not built: the ordinary 404
      }
      ctx.vary('Accept-Encoding');
      if (ctx.fresh) {
        ctx.status = 304;
        ctx.body = null;
      }
      return;
    }

    if (ctx.path === '/') {
      ctx.redirect('/dashboard');
      return;
    }
    const page = PAGES.find((p) => p.match.test(ctx.path));
    if (!page) return next();
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = await renderPage(page.file, config.publicUrl || `${ctx.protocol}://${ctx.host}`);
  };
}
