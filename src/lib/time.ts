/**
 * Time helpers. The API speaks UTC ISO 8601 with `Z`; people read times in their own IANA timezone.
 * Grouping by month in a timezone happens here, in JavaScript, so SQLite and PostgreSQL give the
 * same answer (SQLite has no timezone database).
 */
import { invalidField, type FieldError } from '../errors.ts';

export function iso(d: Date): string;
export function iso(d: Date | null | undefined): string | null;
export function iso(d: Date | null | undefined): string | null {
  return d ? d.toISOString() : null;
}

/** A request time as a Date; a 400 naming `field` when it is not a usable instant. */
export function parseTime(value: string, field: string, where: FieldError['in'] = 'body'): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw invalidField(field, 'must be a date-time', where);
  return at;
}

let zones: Set<string> | undefined;

/** Whether `tz` is an IANA timezone this runtime knows ("UTC" included). */
export function isValidTimezone(tz: string): boolean {
  if (tz === 'UTC') return true;
  zones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (zones.has(tz)) return true;
  try {
    // Accepts aliases such as "Europe/Kiev" that supportedValuesOf leaves out.
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone.length > 0 && /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(tz);
  } catch {
    return false;
  }
}

const monthFormatters = new Map<string, Intl.DateTimeFormat>();

/** "2026-11" for the month `d` falls in, as seen in timezone `tz`. */
export function monthKey(d: Date, tz: string): string {
  let f = monthFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit' });
    monthFormatters.set(tz, f);
  }
  const parts = f.formatToParts(d);
  const y = parts.find((p) => p.type === 'year')!.value;
  const m = parts.find((p) => p.type === 'month')!.value;
  return `${y}-${m}`;
}

/** The `count` month keys ending with the month of `now` in `tz`, oldest first. */
export function lastMonths(now: Date, tz: string, count: number): string[] {
  const [y, m] = monthKey(now, tz).split('-').map(Number) as [number, number];
  const out: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const total = y * 12 + (m - 1) - i;
    out.push(`${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`);
  }
  return out;
}

/** Month keys from `first` to `last` inclusive ("2025-12", "2026-01", …), oldest first; empty when last < first. */
export function monthKeysBetween(first: string, last: string): string[] {
  const index = (key: string) => {
    const [y, m] = key.split('-').map(Number) as [number, number];
    return y * 12 + (m - 1);
  };
  const out: string[] = [];
  for (let total = index(first); total <= index(last); total++) {
    out.push(`${String(Math.floor(total / 12)).padStart(4, '0')}-${String((total % 12) + 1).padStart(2, '0')}`);
  }
  return out;
}

export function addMinutes(d: Date, minutes: number): Date {
  return new Date(d.getTime() + minutes * 60_000);
}
