/**
 * Compiles the server for production (`npm run build`; `npm start` runs it with `--if-stale` first):
 *
 *   - dist/server/server.js: src/server.ts and everything it imports from src/, bundled by esbuild
 *     into one ES module for Node (packages stay imports from node_modules), with a source map;
 *   - dist/server/migrations/<name>.js: each migration, compiled on its own (the migrator finds
 *     them next to the bundle and names them without extension, like the TypeScript files);
 *   - dist/server/openapi.json: openapi.yaml as JSON with the YAML's SHA-256, which the server
 *     reads instead of parsing the YAML at start-up while the YAML is unchanged.
 *
 * The bundle sits two folders below the project root, like src/<dir>/<file>.ts, so the paths the
 * modules resolve from `import.meta.url` (openapi.yaml, dist/widgets, src/pages/html) stay right.
 * `--if-stale` does nothing when the bundle is newer than every file under src/ and migrations/,
 * openapi.yaml and this script.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import YAML from 'yaml';
import { specDigest } from '../src/openapi/spec.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SERVER_OUT_DIR = path.join(ROOT, 'dist', 'server');
export const SERVER_BUNDLE = path.join(SERVER_OUT_DIR, 'server.js');
const MIGRATIONS_SRC = path.join(ROOT, 'migrations');
const SOURCES = [path.join(ROOT, 'src'), MIGRATIONS_SRC];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** True when the bundle is missing or older than a server source, a migration, openapi.yaml or this script. */
export function serverIsStale(): boolean {
  if (!fs.existsSync(SERVER_BUNDLE)) return true;
  const built = fs.statSync(SERVER_BUNDLE).mtimeMs;
  const newest = Math.max(
    ...SOURCES.map(newestMtime),
    fs.statSync(path.join(ROOT, 'openapi.yaml')).mtimeMs,
    fs.statSync(fileURLToPath(import.meta.url)).mtimeMs,
  );
  return newest > built;
}

export async function buildServer(): Promise<void> {
  const started = performance.now();
  const work = `${SERVER_OUT_DIR}.tmp-${process.pid}`;
  fs.rmSync(work, { recursive: true, force: true });
  const common: esbuild.BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  };
  const migrations = fs
    .readdirSync(MIGRATIONS_SRC)
    .filter((f) => /^\d{14}_[\w-]+\.ts$/.test(f))
    .map((f) => path.join(MIGRATIONS_SRC, f));
  await Promise.all([
    esbuild.build({ ...common, entryPoints: [path.join(ROOT, 'src', 'server.ts')], outfile: path.join(work, 'server.js') }),
    esbuild.build({ ...common, entryPoints: migrations, outdir: path.join(work, 'migrations') }),
  ]);
  // Swap the finished build in at once: a server starting meanwhile sees the old or the new one.
  const specText = fs.readFileSync(path.join(ROOT, 'openapi.yaml'), 'utf8');
  fs.writeFileSync(path.join(work, 'openapi.json'), JSON.stringify({ sha256: specDigest(specText), document: YAML.parse(specText) }));
  const old = `${SERVER_OUT_DIR}.old-${process.pid}`;
  if (fs.existsSync(SERVER_OUT_DIR)) fs.renameSync(SERVER_OUT_DIR, old);
  fs.renameSync(work, SERVER_OUT_DIR);
  fs.rmSync(old, { recursive: true, force: true });
  const size = fs.statSync(SERVER_BUNDLE).size;
  console.log(`server → ${path.relative(process.cwd(), SERVER_BUNDLE)} (${(size / 1024).toFixed(0)} KiB, ${migrations.length} migrations) in ${Math.round(performance.now() - started)} ms`);
}

export async function ensureServerBuilt(): Promise<void> {
  if (serverIsStale()) await buildServer();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const run = process.argv.includes('--if-stale') ? ensureServerBuilt() : buildServer();
  run.catch((err: Error) => {
    console.error(`server build failed: ${err.message}`);
    process.exit(1);
  });
}
