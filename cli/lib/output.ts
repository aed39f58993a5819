/**
 * Everything the CLI prints goes through here. Results go to stdout (tables for people, JSON with
 * `--json` for scripts); progress, prompts, warnings and errors go to stderr, so `--json | jq`
 * always sees clean JSON.
 *
 * Colours come from `util.styleText` checked against the stream it is written to: Node then adds
 * them only when that stream is a terminal and neither NO_COLOR nor NODE_DISABLE_COLORS is set
 * (FORCE_COLOR forces them), the same rules the inquirer prompts follow.
 */
import { styleText } from 'node:util';

type Format = Parameters<typeof styleText>[0];
type Stream = NodeJS.WriteStream;

export function paint(stream: Stream, format: Format, text: string): string {
  return styleText(format, text, { stream });
}

/**
 * Text from the API (titles, names, notes, messages) made safe for a terminal: escape sequences
 * (CSI such as cursor moves, OSC such as titles and hyperlinks, DCS/SOS/PM/APC strings, and the
 * two-character ESC forms) are removed whole, then every remaining C0 and C1 control character,
 * DEL, and the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069, with the
 * LRM/RLM/ALM marks) — so a value cannot move the cursor, rewrite what is already on screen,
 * reorder a line or hide a link. Tabs and line breaks become spaces: one value, one line.
 * Every human-readable printer below applies it; `--json` output is printed unchanged.
 */
export function terminalSafe(text: string): string {
  return text
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]?|\x9b[0-?]*[ -/]*[@-~]?/g, '')
    .replace(/(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?/g, '')
    .replace(/\x1b[ -/]*[0-~]?/g, '')
    .replace(/[\t\n\v\f\r\u2028\u2029]/g, ' ')
    .replace(/[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function writeLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** One line of text on stdout (made terminal-safe), optionally coloured. */
export function printLine(text = '', format?: Format): void {
  const safe = terminalSafe(text);
  writeLine(format ? paint(process.stdout, format, safe) : safe);
}

export function success(text: string): void {
  writeLine(`${paint(process.stdout, 'green', '✔')} ${terminalSafe(text)}`);
}

export function warn(text: string): void {
  process.stderr.write(`${paint(process.stderr, 'yellow', 'warning:')} ${terminalSafe(text)}\n`);
}

/** A short note on stderr (hints that must not pollute machine-readable stdout). */
export function note(text: string): void {
  process.stderr.write(`${paint(process.stderr, 'dim', terminalSafe(text))}\n`);
}

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Longer cells are cut with an ellipsis. */
  max?: number;
  align?: 'left' | 'right';
  /** Colour for a cell, from its plain value. */
  color?: (value: string) => Format | undefined;
}

function fit(text: string, max: number | undefined): string {
  const oneLine = terminalSafe(text).replace(/\s+/g, ' ').trim();
  if (!max || oneLine.length <= max) return oneLine;
  return `${oneLine.slice(0, max - 1)}…`;
}

/** A plain text table: a bold header line, then one line per row, columns padded to fit. */
export function printTable<T>(rows: readonly T[], columns: readonly Column<T>[]): void {
  const out = process.stdout;
  const cells = rows.map((row) => columns.map((c) => fit(c.value(row), c.max)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const pad = (text: string, i: number) =>
    columns[i]!.align === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
  const header = columns.map((c, i) => pad(c.header, i)).join('  ');
  writeLine(paint(out, 'bold', header.trimEnd()));
  for (const row of cells) {
    const line = row.map((text, i) => {
      const padded = pad(text, i);
      const format = columns[i]!.color?.(text);
      return format ? paint(out, format, padded) : padded;
    });
    writeLine(line.join('  ').trimEnd());
  }
}

/** "Label: value" lines for one record, labels aligned. */
export function printFields(fields: ReadonlyArray<readonly [string, string]>): void {
  const width = Math.max(...fields.map(([label]) => label.length));
  for (const [label, value] of fields) {
    writeLine(`${paint(process.stdout, 'bold', `${label}:`.padEnd(width + 1))} ${terminalSafe(value)}`);
  }
}

/** Status words coloured by meaning, shared by every table. */
export function statusColor(status: string): Format | undefined {
  switch (status) {
    case 'completed':
    case 'paid':
    case 'attended':
    case 'accepted':
    case 'active':
    case 'applied':
      return 'green';
    case 'pending':
    case 'draft':
    case 'in_progress':
      return 'yellow';
    case 'approved':
    case 'scheduled':
    case 'booked':
      return 'cyan';
    case 'cancelled':
    case 'no_show':
    case 'rejected':
    case 'declined':
    case 'inactive':
      return 'red';
    default:
      return undefined;
  }
}

/** "2026-03-04 14:00" (UTC) from an ISO time, or "—". */
export function shortTime(value: string | null | undefined): string {
  if (!value) return '—';
  return value.replace('T', ' ').slice(0, 16);
}

export function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}
