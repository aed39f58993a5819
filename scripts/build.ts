/**
 * `npm run build`: the compiled server (scripts/build-server.ts) and the widgets and page assets
 * (scripts/build-widgets.ts). `--if-stale` (run by `npm start` before the server) rebuilds only what
 * is missing or older than its sources.
 */
import { buildServer, ensureServerBuilt } from './build-server.ts';
import { buildWidgets, ensureWidgetsBuilt } from './build-widgets.ts';

const ifStale = process.argv.includes('--if-stale');
try {
  await (ifStale ? ensureServerBuilt() : buildServer());
  await (ifStale ? ensureWidgetsBuilt() : buildWidgets());
} catch (err) {
  console.error(`build failed: ${(err as Error).message}`);
  process.exit(1);
}
