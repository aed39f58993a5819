/** Display formatting in the browser's locale. The API's values (decimal strings, ISO times) stay as sent. */

const numberFormats = new Map<string, Intl.NumberFormat>();

/** `"1234.50", "USD"` → `$1,234.50`. */
export function formatMoney(amount: string, currency: string): string {
  let format = numberFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    numberFormats.set(currency, format);
  }
  return format.format(Number(amount));
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const monthLabel = new Intl.DateTimeFormat(undefined, { month: 'short', timeZone: 'UTC' });

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

const zoneName = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' });

/** `Dec 27, 2026, 12:00 PM UTC`: a time with the viewer's time zone named. */
export function formatDateTimeZone(iso: string): string {
  const date = new Date(iso);
  const zone = zoneName.formatToParts(date).find((p) => p.type === 'timeZoneName')?.value;
  return zone ? `${dateTime.format(date)} ${zone}` : dateTime.format(date);
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const inUnits = new Intl.RelativeTimeFormat(undefined, { numeric: 'always' });

/**
 * When something becomes possible, in the viewer's time zone: `Opens 11:30 (in 25 days)`,
 * `Opens 09:05 (in 3 hours)`. Counted in days, hours or minutes, never rounded to weeks.
 */
export function opensAt(iso: string, now = Date.now()): string {
  const minutes = Math.max(1, Math.ceil((new Date(iso).getTime() - now) / 60_000));
  const [value, unit]: [number, Intl.RelativeTimeFormatUnit] =
    minutes >= 24 * 60 ? [Math.floor(minutes / (24 * 60)), 'day'] : minutes >= 60 ? [Math.floor(minutes / 60), 'hour'] : [minutes, 'minute'];
  return `Opens ${clock.format(new Date(iso))} (${inUnits.format(value, unit)})`;
}

/** `"2025-11"` → `Nov` (the month as the API grouped it, not shifted by the local zone). */
export function formatMonth(month: string): string {
  return monthLabel.format(new Date(`${month}-01T00:00:00Z`));
}

export function formatPercent(fraction: number | null): string {
  return fraction === null ? '—' : `${Math.round(fraction * 100)}%`;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** `"5 minutes ago"`, `"yesterday"`, `"now"`. */
export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(0, 'second');
}

/** An ISO instant as the value of an `<input type="datetime-local">` (local wall time). */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value (local wall time) as an ISO instant, or null when empty or invalid. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function fullName(user: { first_name: string; last_name: string; username: string }): string {
  return `${user.first_name} ${user.last_name}`.trim() || user.username;
}
