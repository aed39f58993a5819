/**
 * Widget sources stay small enough to read: no file under widgets/src over 400 lines, and the
 * `<session-room>` element (the controller; its phases and views live beside it) at most 350.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

const WIDGET_SRC = path.resolve('widgets/src');
const MAX_LINES = 400;
const LIMITS: Record<string, number> = { 'session-room/session-room.ts': 350 };

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|js|css)$/.test(entry.name) ? [full] : [];
  });
}

/** Lines as `wc -l` counts them (newline characters). */
const lineCount = (file: string) => (fs.readFileSync(file, 'utf8').match(/\n/g) ?? []).length;

describe('widget source sizes', () => {
  it('finds the widget sources', () => {
    const files = sourceFiles(WIDGET_SRC).map((f) => path.relative(WIDGET_SRC, f));
    expect(files).to.include.members(Object.keys(LIMITS));
  });

  it(`keeps every file under widgets/src at most ${MAX_LINES} lines, and session-room.ts at most 350`, () => {
    const over = sourceFiles(WIDGET_SRC)
      .map((file) => {
        const name = path.relative(WIDGET_SRC, file).split(path.sep).join('/');
        return { name, lines: lineCount(file), limit: LIMITS[name] ?? MAX_LINES };
      })
      .filter(({ lines, limit }) => lines > limit)
      .map(({ name, lines, limit }) => `${name}: ${lines} lines (limit ${limit})`);
    expect(over, 'split these into smaller modules').to.deep.equal([]);
  });
});
