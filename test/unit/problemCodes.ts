/**
 * The problem codes the server's source emits, found by reading it: the last argument of every
 * error factory call (`conflict(detail, 'already_booked')`), the code of every `new ApiError(…)`,
 * and the factories' own defaults. A code added by later work shows up here without a list to edit.
 */
import fs from 'node:fs';
import path from 'node:path';

const FACTORIES = ['badRequest', 'unauthorized', 'forbidden', 'notFound', 'conflict', 'unprocessable'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The top-level arguments of the call whose `(` is at `open`, as source text. */
function callArguments(text: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = open + 1;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      depth--;
      if (depth === 0) {
        args.push(text.slice(start, i));
        return args.map((a) => a.trim()).filter(Boolean);
      }
    } else if (c === ',' && depth === 1) {
      args.push(text.slice(start, i));
      start = i + 1;
    }
  }
  return args;
}

const literal = (arg: string | undefined) => /^'([a-z][a-z0-9_]*)'$/.exec(arg ?? '')?.[1];

/** Every code string found in `src/`, with where it was found. */
export function emittedProblemCodes(root = path.resolve('src')): Map<string, string> {
  const found = new Map<string, string>();
  const add = (code: string | undefined, where: string) => {
    if (code && !found.has(code)) found.set(code, where);
  };
  const files = sourceFiles(root).map((file) => ({ file, text: fs.readFileSync(file, 'utf8') }));
  // A code built from a template in a helper (`fieldTaken(field)` → `${field}_taken`): one code per
  // literal the helper is called with anywhere.
  for (const { text } of files) {
    for (const helper of text.matchAll(/function (\w+)\(\w+: string\)[^{]*\{\s*return new ApiError\(\d+, `\$\{\w+\}(_\w+)`/g)) {
      for (const { file, text: caller } of files) {
        for (const call of caller.matchAll(new RegExp(`\\b${helper[1]}\\('([a-z][a-z0-9_]*)'`, 'g'))) add(`${call[1]}${helper[2]}`, path.relative(process.cwd(), file));
      }
    }
  }
  for (const { file, text } of files) {
    const where = path.relative(process.cwd(), file);
    for (const match of text.matchAll(/\b(badRequest|unauthorized|forbidden|notFound|conflict|unprocessable|new ApiError)\s*\(/g)) {
      const args = callArguments(text, match.index + match[0].length - 1);
      if (match[1] === 'new ApiError') {
        add(literal(args[1]), where);
      } else if (FACTORIES.includes(match[1]!) && args.length > 1) {
        add(literal(args.at(-1)), where);
      }
    }
    // The factories' defaults (`code = 'bad_request'`) and codes chosen by a condition.
    for (const m of text.matchAll(/\bcode = '([a-z][a-z0-9_]*)'/g)) add(m[1], where);
    for (const m of text.matchAll(/new ApiError\(\s*\d+,\s*'([a-z][a-z0-9_]*)'/g)) add(m[1], where);
    for (const m of text.matchAll(/\? '([a-z][a-z0-9_]*)' : '([a-z][a-z0-9_]*)'/g)) if (/ApiError/.test(text.slice(m.index - 60, m.index))) add(m[1], where), add(m[2], where);
  }
  return found;
}
