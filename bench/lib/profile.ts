/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`, e.g. a benchmark run with
 * BENCH_CPU_PROF=<dir>): the functions with the most self time, and the most inclusive time spent
 * under each of our own source files — where a request's CPU goes.
 *
 * Usage: node --import tsx bench/lib/profile.ts <file.cpuprofile> [top=25]
 */
import fs from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node --import tsx bench/lib/profile.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'npm:').replace(/^.*\/(src|bench)\//, '$1/');
const label = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`;

const selfByFunction = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const key = label(byId.get(id)!.callFrame);
  selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + ms);
}

// Inclusive time per file: each sample counts once for every distinct file on its stack.
const inclusiveByFile = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const files = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const url = byId.get(cur)!.callFrame.url;
    if (url) files.add(url.includes('/node_modules/') ? shortUrl(url).split('/').slice(0, 2).join('/') : shortUrl(url));
  }
  for (const f of files) inclusiveByFile.set(f, (inclusiveByFile.get(f) ?? 0) + ms);
}

const pct = (ms: number) => `${((ms / total) * 100).toFixed(1).padStart(5)}%`;
console.log(`${file}: ${Math.round(total)} ms sampled`);
console.log(`\nSelf time, top ${top}:`);
for (const [name, ms] of [...selfByFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(ms)}  ${name}`);
console.log(`\nInclusive time by file or package, top ${top}:`);
for (const [name, ms] of [...inclusiveByFile].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(ms)}  ${name}`);
