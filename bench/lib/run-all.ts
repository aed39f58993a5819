/**
 * `npm run bench`: every `bench:*` script in package.json, one after another (HTTP first, then
 * WebSocket, then the rest), so a benchmark added later with its own script is included. Fails
 * when any of them failed, after running the others.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const ORDER = ['bench:http', 'bench:ws'];
const { scripts } = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
const names = Object.keys(scripts)
  .filter((name) => name.startsWith('bench:'))
  .sort((a, b) => (ORDER.indexOf(a) + 1 || ORDER.length + 1) - (ORDER.indexOf(b) + 1 || ORDER.length + 1) || a.localeCompare(b));

const failed: string[] = [];
for (const name of names) {
  console.error(`\n=== npm run ${name}`);
  const { status } = spawnSync('npm', ['run', '--silent', name], { stdio: 'inherit' });
  if (status !== 0) failed.push(name);
}
if (failed.length) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
