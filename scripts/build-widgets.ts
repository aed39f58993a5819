/**
 * Builds the embeddable widgets and the host pages' assets into dist/widgets/ (`npm run build`):
 *
 *   1. Tailwind CSS v4 (@tailwindcss/cli), compiled per widget from that widget's sources only and
 *      fixed for shadow DOM (see `fixForShadowDom`);
 *   2. esbuild: for each widget one self-contained ES module (`<name>.js`) and one classic script
 *      (`<name>.iife.js`), the CSS inlined as text and adopted as one shared constructable
 *      stylesheet per bundle;
 *   3. the host pages' scripts (`pages/<page>.js`, from src/pages/scripts/*.ts) and stylesheet
 *      (`pages/pages.css`);
 *   4. gzip sizes → dist/widgets/sizes.json, printed and checked against each widget's budget
 *      (the run fails when one is exceeded);
 *   5. for every script and stylesheet: a copy under a content-hashed name (`<name>.<hash>.js`,
 *      served as immutable; manifest.json maps each stable name to it, and the pages reference the
 *      hashed URLs) and pre-compressed `.br` and `.gz` files beside both names.
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
 * simple-peer 9 in the browser: its Node-style dependencies expect `global` and `process` (a shim
 * is injected); one copy of `buffer` serves simple-peer and readable-stream alike (they pin
 * different majors); `debug` logging and readable-stream's unused `string_decoder` are left out.
 * Together ≈ 9 KiB gzip less than bundling it as is.
 */
const simplePeerShims: WidgetTarget['esbuild'] = {
  define: { global: 'globalThis' },
  inject: [roomFile('process-shim.ts')],
  alias: {
    buffer: fileURLToPath(new URL('../node_modules/simple-peer/node_modules/buffer', import.meta.url)),
    debug: roomFile('debug-shim.cjs'),
    string_decoder: roomFile('string-decoder-shim.cjs'),
  },
};

/**
 * Every widget bundle. Entry: widgets/src/<name>/define.ts; Tailwind sources: shared/ and <name>/
 * (plus widgets/src/<name>/styles.css when present).
 */
export const WIDGETS: readonly WidgetTarget[] = [
  { name: 'notification-bell', budgetKb: 15 },
  { name: 'mentor-dashboard', budgetKb: 60 },
  { name: 'session-room', budgetKb: 50, esbuild: simplePeerShims },
];

export interface BundleSize {
  file: string;
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

/** Resolves the widgets' `import css from '../styles.css'` to the compiled CSS, as a string. */
function inlineCss(compiled: string): esbuild.Plugin {
  const stylesheet = path.join(WIDGET_SRC, 'styles.css');
  return {
    name: 'inline-widget-css',
    setup(build) {
      build.onLoad({ filter: /\.css$/ }, (args) => {
        if (path.resolve(args.path) !== stylesheet) {
          return { errors: [{ text: `only widgets/src/styles.css may be imported by a widget (got ${args.path})` }] };
        }
        return { contents: compiled, loader: 'text' };
      });
    },
  };
}

function sizeOf(file: string): BundleSize {
  const content = fs.readFileSync(file);
  return { file: path.relative(OUT_DIR, file), bytes: content.length, gzip: gzipSync(content, { level: 9 }).length };
}

async function buildWidget(widget: WidgetTarget): Promise<WidgetSizes> {
  const entry = path.join(WIDGET_SRC, widget.name, 'define.ts');
  if (!fs.existsSync(entry)) throw new Error(`widget ${widget.name}: missing entry ${path.relative(ROOT, entry)}`);
  const css = await compileWidgetCss(widget.name);
  const common: esbuild.BuildOptions = {
    entryPoints: [entry],
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    target: TARGET,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [inlineCss(css)],
    ...widget.esbuild,
  };
  const esmFile = path.join(OUT_DIR, `${widget.name}.js`);
  const iifeFile = path.join(OUT_DIR, `${widget.name}.iife.js`);
  await Promise.all([
    esbuild.build({ ...common, format: 'esm', outfile: esmFile }),
    esbuild.build({ ...common, format: 'iife', outfile: iifeFile }),
  ]);
  return { budget_gzip: widget.budgetKb * 1024, esm: sizeOf(esmFile), iife: sizeOf(iifeFile) };
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
  const widgets: Record<string, WidgetSizes> = {};
  const built = await Promise.all(WIDGETS.map(async (w) => [w.name, await buildWidget(w)] as const));
  for (const [name, sizes] of built) widgets[name] = sizes;
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
