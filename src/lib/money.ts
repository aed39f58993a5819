/**
 * Money is integer minor units (cents) inside the system and a decimal string with two decimals in
 * the API ("49.00"). No floating point is ever involved in a conversion.
 */
import { invalidField } from '../errors.ts';

export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new TypeError(`not an integer amount of cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function formatCentsOrNull(cents: number | null | undefined): string | null {
  return cents == null ? null : formatCents(cents);
}

const DECIMAL = /^(0|[1-9]\d{0,8})(?:\.(\d{1,2}))?$/;

/** Parses "49", "49.5", "49.50" into 4950; throws a 400 naming `field` for anything else. */
export function parseMoney(value: string, field: string): number {
  const m = DECIMAL.exec(value);
  if (!m) throw invalidField(field, 'must be a decimal amount with at most two decimals, e.g. "49.00"');
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

export function parseMoneyOrNull(value: string | null | undefined, field: string): number | null {
  return value == null ? null : parseMoney(value, field);
}
