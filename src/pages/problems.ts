/**
 * The problem type pages: `/problems` lists every code, `/problems/{code}` explains one (title,
 * when it happens, what to do), so the `type` URI of every problem+json answer leads somewhere.
 * Rendered from `src/problems.ts`; plain HTML with no script and nothing loaded from elsewhere.
 */
import type { Middleware } from 'koa';
import { PROBLEMS, type ProblemDescription } from '../problems.ts';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** `code` spans become <code>; everything else is text. */
const inline = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');

const STYLE = `
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #0f172a; background: #f8fafc; }
main { max-width: 48rem; margin: 0 auto; padding: 2rem 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .25rem; }
code { font: .9em ui-monospace, monospace; background: #e2e8f0; padding: 0 .25em; border-radius: .25rem; }
a { color: #3730a3; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
nav { margin-bottom: 1.5rem; font-size: .9rem; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)} · Mentor Dashboard API</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<nav><a href="/problems">All problem types</a> · <a href="/docs">API reference</a></nav>
${body}
</main>
</body>
</html>
`;
}

function problemPage(p: ProblemDescription): string {
  return page(
    p.title,
    `<h1>${escapeHtml(p.title)}</h1>
<dl>
<dt>code</dt><dd><code>${escapeHtml(p.code)}</code></dd>
<dt>type</dt><dd><code>/problems/${escapeHtml(p.code)}</code></dd>
<dt>HTTP status</dt><dd>${p.status}</dd>
</dl>
<h2>When it happens</h2>
<p>${inline(p.when)}</p>
<h2>What to do</h2>
<p>${inline(p.todo)}</p>
<p>The answer's <code>detail</code> says what happened in this case; <code>errors</code> (for validation failures) names each field.</p>`,
  );
}

function indexPage(): string {
  const rows = PROBLEMS.map((p) => `<dt><a href="/problems/${p.code}"><code>${p.code}</code></a></dt><dd>${p.status} · ${inline(p.title)}</dd>`);
  return page(
    'Problem types',
    `<h1>Problem types</h1>
<p>Every error answer of the API is <code>application/problem+json</code> (RFC 9457) with a stable <code>code</code>; its <code>type</code> is the page below that explains it.</p>
<dl>
${rows.join('\n')}
</dl>`,
  );
}

export function problemPages(): Middleware {
  const index = indexPage();
  const pages = new Map(PROBLEMS.map((p) => [p.code, problemPage(p)]));
  return async function problemTypePages(ctx, next) {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    const match = /^\/problems(?:\/([a-z][a-z0-9_]{0,63}))?\/?$/.exec(ctx.path);
    if (!match) return next();
    const html = match[1] === undefined ? index : pages.get(match[1]);
    if (html === undefined) return next();
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = html;
  };
}
