/**
 * Builds the embeddable widgets and the host pages' assets into dist/widgets/ (`npm run build`):
 *
 *   1. Tailwind CSS v4 (@tailwindcss/cli), compiled per widget from that widget's sources only and
 *      fixed for shadow DOM (see `fixForShadowDom`);
 *   2. esbuild: for each widget an ES module (`<name>.js`) and a self-contained classic script
 *      (`<name>.iife.js`), the CSS inlined as text and adopted as one constructable stylesheet per
 *      widget; the ES modules are built together with code splitting, their common code in
 *      `chunks/chunk-<hash>.js` (loaded once by a page with several widgets);
 *   3. the host pages' scripts (`pages/<page>.js`, from src/pages/scripts/*.ts) and stylesheet
 *      (`pages/pages.css`);
 *   4. gzip sizes → dist/widgets/sizes.json (an ES module counts with the chunks it imports),
 *      printed and checked against each widget's budget (the run fails when one is exceeded);
 *   5. for every script and stylesheet: a copy under a content-hashed name (`<name>.<hash>.js`,
 *      served as immutable; manifest.json maps each stable name to it, and the pages reference the
 *      hashed URLs; the chunks are hashed by esbuild already) and pre-compressed `.br` and `.gz`
 *      files beside each.
 *
 * `--if-stale` (used by `npm start`) does nothing when sizes.json is newer than every source.
 * A widget is added by creating widgets/src/<name>/define.ts and one line in WIDGETS.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import crypto from 'node:crypto';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

export interface WidgetTarget {
  /** Tag name, folder under widgets/src/ and output file name. */
  name: string;
  /** Largest allowed gzip size of each of its bundles, in KiB (1024 bytes). */
  budgetKb: number;
  /** Extra esbuild options for this bundle (e.g. `define`/`inject` shims a dependency needs). */
  esbuild?: Pick<esbuild.BuildOptions, 'define' | 'inject' | 'alias'>;
}

const roomFile = (file: string) => fileURLToPath(new URL(`../widgets/src/session-room/${file}`, import.meta.url));
/**
 * simple-peer 9 in the browser without its Node-style dependencies: readable-stream (with `buffer`,
 * `events`, `process`), `randombytes` and `debug` are swapped for the little of them it uses
 * (widgets/src/session-room/*-shim.*): ≈ 20 KiB gzip less than bundling it as is. `global` is
 * `globalThis` for queue-microtask outside a window.
 */
export const simplePeerShims: WidgetTarget['esbuild'] = {
  define: { global: 'globalThis' },
  alias: {
    'readable-stream': roomFile('stream-shim.ts'),
    buffer: roomFile('buffer-shim.ts'),
    randombytes: roomFile('randombytes-shim.cjs'),
    debug: roomFile('debug-shim.cjs'),
  },
};

/**
 * Every widget bundle. Entry: widgets/src/<name>/define.ts; Tailwind sources: shared/ and <name>/
 * (plus widgets/src/<name>/styles.css when present).
 */
export const WIDGETS: readonly WidgetTarget[] = [
  { name: 'notification-bell', budgetKb: 15 },
  { name: 'mentor-dashboard', budgetKb: 60 },
  // The ES module counts with the chunks it shares with the other widgets (≈ 1.4 KiB gzip more
  // than the self-contained classic script).
  { name: 'session-room', budgetKb: 45, esbuild: simplePeerShims },
  { name: 'mentor-booking', budgetKb: 25 },
];

export interface BundleSize {
  /** The bundle's file, relative to dist/widgets. */
  file: string;
  /** For an ES module: the shared chunks it imports (`chunks/chunk-<hash>.js`), counted in the sizes. */
  chunks?: string[];
  /** Bytes of the file and its chunks, and the sum of their gzip sizes: what a page fetches for it alone. */
  bytes: number;
  gzip: number;
}

export interface WidgetSizes {
  budget_gzip: number;
  esm: BundleSize;
  iife: BundleSize;
}

export interface SizesReport {
  built_at: string;
  widgets: Record<string, WidgetSizes>;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUT_DIR = path.join(ROOT, 'dist', 'widgets');
export const SIZES_FILE = path.join(OUT_DIR, 'sizes.json');
/** The ES modules' shared chunks, content-hashed by esbuild (`chunks/chunk-<8 base32>.js`). */
export const CHUNK_FILE = /^chunks\/chunk-[A-Z0-9]{8}\.js$/;
/** Stable name (`notification-bell.js`, `pages/login.js`) → content-hashed name, for the pages. */
export const MANIFEST_FILE = path.join(OUT_DIR, 'manifest.json');
const WIDGET_SRC = path.join(ROOT, 'widgets', 'src');
const PAGES_SRC = path.join(ROOT, 'src', 'pages');
/** Generated Tailwind inputs live inside the project so `@import "tailwindcss"` resolves. */
const WORK_DIR = path.join(ROOT, 'dist', '.widgets-build');
const TAILWIND_BIN = path.join(ROOT, 'node_modules', '.bin', 'tailwindcss');
/** Evergreen browsers with constructable stylesheets and adoptedStyleSheets. */
const TARGET = ['es2022', 'chrome111', 'firefox111', 'safari16.4'];

function runTailwind(input: string, output: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(TAILWIND_BIN, ['--input', input, '--output', output, '--minify'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`tailwindcss failed (exit ${code}) for ${path.relative(ROOT, input)}:\n${stderr}`));
    });
  });
}

/**
 * `@property` rules are ignored inside shadow roots (tailwindcss#15005), so variables such as
 * `--tw-border-style` or `--tw-shadow` would have no initial value there and borders, rings and
 * shadows would vanish. Tailwind also emits those initial values as a fallback rule, but only
 * inside an `@supports` block for browsers without `@property`; here that rule is made
 * unconditional (still in the lowest `properties` layer, so every utility overrides it) and the
 * `@property` rules, dead weight in a shadow root, are dropped.
 */
export function fixForShadowDom(css: string): string {
  const fallback = /@layer properties\{@supports [^{]+\{([^{}]+\{[^{}]*\})\}\}/.exec(css);
  const fixed = fallback ? css.replace(fallback[0], `@layer properties{${fallback[1]}}`) : css;
  return fixed.replace(/@property [^{]+\{[^}]*\}/g, '');
}

/**
 * Compiles a widget's stylesheet: widgets/src/styles.css, then the widget's own
 * widgets/src/<name>/styles.css when it has one, with only the utilities used in shared/ and <name>/.
 */
async function compileWidgetCss(name: string): Promise<string> {
  const input = path.join(WORK_DIR, `${name}.input.css`);
  const output = path.join(WORK_DIR, `${name}.css`);
  const rel = (file: string) => path.relative(WORK_DIR, file);
  const own = path.join(WIDGET_SRC, name, 'styles.css');
  const lines = [
    `@import "${rel(path.join(WIDGET_SRC, 'styles.css'))}";`,
    ...(fs.existsSync(own) ? [`@import "${rel(own)}";`] : []),
    `@source "${rel(path.join(WIDGET_SRC, 'shared'))}";`,
    `@source "${rel(path.join(WIDGET_SRC, name))}";`,
  ];
  fs.writeFileSync(input, `${lines.join('\n')}\n`);
  await runTailwind(input, output);
  return fixForShadowDom(fs.readFileSync(output, 'utf8'));
}

/**
 * Each bundle's entry, `widget-entry:<name>`: registers the widget's compiled CSS (as text, under
 * its tag name) with widgets/src/shared/styles.ts, then imports widgets/src/<name>/define.ts. The
 * registration module is imported first, so it runs before the element is defined and upgraded.
 * Generated here so that widgets sharing one chunk of common code still each get their own CSS.
 */
function widgetEntries(cssByWidget: ReadonlyMap<string, string>): esbuild.Plugin {
  const stylesModule = path.join(WIDGET_SRC, 'shared', 'styles.ts');
  return {
    name: 'widget-entries',
    setup(build) {
      build.onResolve({ filter: /^widget-(entry|styles|css):/ }, (args) => ({ path: args.path, namespace: 'widget' }));
      build.onLoad({ filter: /.*/, namespace: 'widget' }, (args) => {
        const [kind, name] = args.path.split(':') as [string, string];
        if (!cssByWidget.has(name)) return { errors: [{ text: `unknown widget ${name}` }] };
        const define = path.join(WIDGET_SRC, name, 'define.ts');
        if (kind === 'widget-css') return { contents: cssByWidget.get(name)!, loader: 'text' };
        if (kind === 'widget-styles') {
          return {
            contents: `import { registerStyles } from ${JSON.stringify(stylesModule)};\nimport css from "widget-css:${name}";\nregisterStyles("${name}", css);\n`,
            loader: 'js',
            resolveDir: ROOT,
          };
        }
        return { contents: `import "widget-styles:${name}";\nexport * from ${JSON.stringify(define)};\n`, loader: 'js', resolveDir: ROOT };
      });
      build.onLoad({ filter: /\.css$/ }, (args) => ({ errors: [{ text: `a widget imports no CSS file (got ${args.path}); its stylesheet is compiled by this script` }] }));
    },
  };
}

/** Sizes of the files a browser fetches for one bundle: the file and the chunks it imports. */
function sizeOf(file: string, chunks: string[] = []): BundleSize {
  const files = [file, ...chunks];
  const contents = files.map((f) => fs.readFileSync(path.join(OUT_DIR, f)));
  return {
    file,
    ...(chunks.length ? { chunks } : {}),
    bytes: contents.reduce((sum, c) => sum + c.length, 0),
    gzip: contents.reduce((sum, c) => sum + gzipSync(c, { level: 9 }).length, 0),
  };
}

/** The chunk files an ES module output imports, directly or through another chunk. */
function importedChunks(metafile: esbuild.Metafile, output: string): string[] {
  const seen = new Set<string>();
  const visit = (out: string) => {
    for (const imp of metafile.outputs[out]?.imports ?? []) {
      if (imp.kind !== 'import-statement' || imp.external || seen.has(imp.path)) continue;
      seen.add(imp.path);
      visit(imp.path);
    }
  };
  visit(output);
  return [...seen].map((out) => path.relative(OUT_DIR, path.resolve(ROOT, out))).sort();
}

const entryExists = (widget: WidgetTarget) => {
  const entry = path.join(WIDGET_SRC, widget.name, 'define.ts');
  if (!fs.existsSync(entry)) throw new Error(`widget ${widget.name}: missing entry ${path.relative(ROOT, entry)}`);
};

/**
 * The ES modules of every widget, built together with code splitting: code they share (widgets/src/
 * shared/, common dependencies) goes into `chunks/chunk-<hash>.js`, so a page with several widgets
 * loads it once. The classic scripts (`<name>.iife.js`) stay self-contained, one build each.
 */
async function buildAllWidgets(widgets: readonly WidgetTarget[]): Promise<Record<string, WidgetSizes>> {
  widgets.forEach(entryExists);
  const cssByWidget = new Map(await Promise.all(widgets.map(async (w) => [w.name, await compileWidgetCss(w.name)] as const)));
  const common: esbuild.BuildOptions = {
    absWorkingDir: ROOT,
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    target: TARGET,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [widgetEntries(cssByWidget)],
  };
  // One ESM build for all: each widget's extra options are scoped to its own dependencies (shims).
  const merged: NonNullable<WidgetTarget['esbuild']> = { define: {}, inject: [], alias: {} };
  for (const w of widgets) {
    Object.assign(merged.define!, w.esbuild?.define);
    merged.inject!.push(...(w.esbuild?.inject ?? []));
    Object.assign(merged.alias!, w.esbuild?.alias);
  }
  const [esm] = await Promise.all([
    esbuild.build({
      ...common,
      ...merged,
      entryPoints: widgets.map((w) => ({ in: `widget-entry:${w.name}`, out: w.name })),
      format: 'esm',
      splitting: true,
      outdir: OUT_DIR,
      chunkNames: 'chunks/[name]-[hash]',
      metafile: true,
    }),
    ...widgets.map((w) =>
      esbuild.build({ ...common, ...w.esbuild, entryPoints: [`widget-entry:${w.name}`], format: 'iife', outfile: path.join(OUT_DIR, `${w.name}.iife.js`) }),
    ),
  ]);
  const sizes: Record<string, WidgetSizes> = {};
  for (const w of widgets) {
    const output = path.relative(ROOT, path.join(OUT_DIR, `${w.name}.js`));
    sizes[w.name] = { budget_gzip: w.budgetKb * 1024, esm: sizeOf(`${w.name}.js`, importedChunks(esm.metafile!, output)), iife: sizeOf(`${w.name}.iife.js`) };
  }
  return sizes;
}

/** Page scripts are the top-level files of src/pages/scripts/ (shared code lives in lib/). */
function pageEntries(): string[] {
  const dir = path.join(PAGES_SRC, 'scripts');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

async function buildPages(): Promise<void> {
  const outdir = path.join(OUT_DIR, 'pages');
  await esbuild.build({
    entryPoints: pageEntries(),
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'esm',
    target: TARGET,
    outdir,
    logLevel: 'warning',
  });
  await runTailwind(path.join(PAGES_SRC, 'pages.css'), path.join(outdir, 'pages.css'));
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** True when dist/widgets is missing or older than a widget source, a page source or this script. */
export function isStale(): boolean {
  if (!fs.existsSync(SIZES_FILE)) return true;
  const built = fs.statSync(SIZES_FILE).mtimeMs;
  const newestSource = Math.max(newestMtime(WIDGET_SRC), newestMtime(PAGES_SRC), fs.statSync(fileURLToPath(import.meta.url)).mtimeMs);
  return newestSource > built;
}

/** Names of the bundles over budget, e.g. `mentor-dashboard.js (61.2 KiB > 60 KiB)`. */
export function overBudget(report: SizesReport): string[] {
  const over: string[] = [];
  for (const sizes of Object.values(report.widgets)) {
    for (const bundle of [sizes.esm, sizes.iife]) {
      if (bundle.gzip > sizes.budget_gzip) over.push(`${bundle.file} (${kib(bundle.gzip)} > ${kib(sizes.budget_gzip)})`);
    }
  }
  return over;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function printReport(report: SizesReport): void {
  const rows = Object.values(report.widgets).flatMap((s) =>
    [s.esm, s.iife].map((b) => `  ${b.file.padEnd(26)} ${kib(b.bytes).padStart(10)} min ${kib(b.gzip).padStart(9)} gzip   budget ${kib(s.budget_gzip)}`),
  );
  console.log(`widgets → ${path.relative(process.cwd(), OUT_DIR) || '.'}\n${rows.join('\n')}`);
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

function precompress(file: string): void {
  const content = fs.readFileSync(file);
  fs.writeFileSync(`${file}.br`, brotliCompressSync(content, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }));
  fs.writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
}

/**
 * Content-hashed copies of every script and stylesheet (their source maps keep the stable names),
 * the manifest, and `.br`/`.gz` beside each. Returns the manifest.
 */
function hashAndCompress(): Record<string, string> {
  const manifest: Record<string, string> = {};
  for (const file of filesUnder(OUT_DIR).filter((f) => /\.(js|css)$/.test(f))) {
    if (CHUNK_FILE.test(path.relative(OUT_DIR, file))) {
      precompress(file); // named by esbuild after its content already
      continue;
    }
    const hash = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 10);
    const hashed = file.replace(/\.(js|css)$/, `.${hash}.$1`);
    fs.copyFileSync(file, hashed);
    manifest[path.relative(OUT_DIR, file)] = path.relative(OUT_DIR, hashed);
    precompress(file);
    precompress(hashed);
  }
  fs.writeFileSync(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Builds everything; throws when a bundle exceeds its budget (after writing sizes.json). */
export async function buildWidgets(): Promise<SizesReport> {
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  fs.mkdirSync(OUT_DIR, { recursive: true });
  fs.mkdirSync(WORK_DIR, { recursive: true });
  const widgets = await buildAllWidgets(WIDGETS);
  await buildPages();
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
  hashAndCompress();
  const report: SizesReport = { built_at: new Date().toISOString(), widgets };
  fs.writeFileSync(SIZES_FILE, `${JSON.stringify(report, null, 2)}\n`);
  printReport(report);
  const over = overBudget(report);
  if (over.length) throw new Error(`bundle size budget exceeded: ${over.join(', ')}`);
  return report;
}

/** Builds only when the output is missing or out of date (start-up and the browser tests). */
export async function ensureWidgetsBuilt(): Promise<void> {
  if (isStale()) await buildWidgets();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const run = process.argv.includes('--if-stale') ? ensureWidgetsBuilt() : buildWidgets();
  run.catch((err: Error) => {
    console.error(`build failed: ${err.message}`);
    process.exit(1);
  });
}
