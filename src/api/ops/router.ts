/** Operations endpoints: liveness, readiness, the contracts (REST and WebSocket) and their rendered reference. */
import fs from 'node:fs';
import path from 'node:path';
import type { ApiRoutes } from '../route.ts';
import { SPEC_PATH } from '../../openapi/spec.ts';

/** The WebSocket protocol (AsyncAPI 3.0), next to openapi.yaml whose `Ws*` schemas it refers to. */
const ASYNCAPI_PATH = path.join(path.dirname(SPEC_PATH), 'asyncapi.yaml');
let asyncApiText: string | undefined;

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Mentor Dashboard API reference</title>
<style>body { margin: 0; }</style>
</head>
<body>
<redoc spec-url="/openapi.yaml" hide-download-button="false"></redoc>
<script src="/docs/redoc.standalone.js"></script>
</body>
</html>
`;

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<T>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function registerOpsRoutes(routes: ApiRoutes): void {
  routes
    .on('healthz', (ctx) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { status: 'ok' };
    })
    .on('readyz', async (ctx) => {
      const { db, redis, logger } = ctx.deps;
      const checks: { database: 'ok' | 'fail'; redis: 'ok' | 'fail' | 'disabled' } = { database: 'ok', redis: 'disabled' };
      try {
        await withTimeout(db.raw('select 1'), 2000);
      } catch (err) {
        checks.database = 'fail';
        logger.warn({ reason: (err as Error).message }, 'readiness: database unreachable');
      }
      if (redis) {
        try {
          await withTimeout(redis.ping(), 2000);
          checks.redis = 'ok';
        } catch (err) {
          checks.redis = 'fail';
          logger.warn({ reason: (err as Error).message }, 'readiness: redis unreachable');
        }
      }
      const ok = checks.database === 'ok' && checks.redis !== 'fail';
      ctx.set('Cache-Control', 'no-store');
      ctx.status = ok ? 200 : 503;
      ctx.body = { status: ok ? 'ok' : 'fail', checks };
    })
    .on('getOpenApiDocument', (ctx) => {
      ctx.type = 'application/yaml';
      ctx.set('Access-Control-Allow-Origin', '*');
      ctx.body = ctx.deps.spec.text;
    })
    .on('getOpenApiJson', (ctx) => {
      ctx.set('Access-Control-Allow-Origin', '*');
      ctx.body = ctx.deps.spec.document;
    })
    .on('getAsyncApiDocument', (ctx) => {
      asyncApiText ??= fs.readFileSync(ASYNCAPI_PATH, 'utf8');
      ctx.type = 'application/yaml';
      ctx.set('Access-Control-Allow-Origin', '*');
      ctx.body = asyncApiText;
    })
    .on('getApiDocs', (ctx) => {
      ctx.type = 'text/html';
      ctx.body = DOCS_HTML;
    });
}
