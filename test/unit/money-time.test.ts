import { expect } from 'chai';
import { formatCents, parseMoney } from '../../src/lib/money.ts';
import { isValidTimezone, lastMonths, monthKey, monthKeysBetween } from '../../src/lib/time.ts';
import { ApiError } from '../../src/errors.ts';

describe('money', () => {
  it('formats cents as two-decimal strings', () => {
    expect(formatCents(0)).to.equal('0.00');
    expect(formatCents(5)).to.equal('0.05');
    expect(formatCents(4900)).to.equal('49.00');
    expect(formatCents(123456789)).to.equal('1234567.89');
    expect(formatCents(-150)).to.equal('-1.50');
  });

  it('parses decimal strings exactly, without floating point', () => {
    expect(parseMoney('49', 'price')).to.equal(4900);
    expect(parseMoney('49.5', 'price')).to.equal(4950);
    expect(parseMoney('0.29', 'price')).to.equal(29); // 0.29 * 100 = 28.999… in floating point
    expect(parseMoney('999999999.99', 'price')).to.equal(99999999999);
  });

  it('refuses malformed amounts naming the field', () => {
    for (const bad of ['', '1.234', '-1', '01', '1e3', ' 1', 'NaN']) {
      try {
        parseMoney(bad, 'amount');
        expect.fail(`accepted ${bad}`);
      } catch (err) {
        expect(err).to.be.instanceOf(ApiError);
        expect((err as ApiError).errors![0]!.path).to.equal('amount');
      }
    }
  });
});

describe('time', () => {
  it('groups by month in the given timezone', () => {
    const d = new Date('2026-03-31T23:30:00Z');
    expect(monthKey(d, 'UTC')).to.equal('2026-03');
    expect(monthKey(d, 'Europe/Berlin')).to.equal('2026-04');
    expect(monthKey(d, 'America/Los_Angeles')).to.equal('2026-03');
  });

  it('lists the last N months across a year boundary', () => {
    expect(lastMonths(new Date('2026-02-10T00:00:00Z'), 'UTC', 4)).to.deep.equal(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(lastMonths(new Date('2026-11-24T00:00:00Z'), 'UTC', 12)).to.have.length(12);
  });

  it('lists the month keys between two months, inclusive, across a year boundary', () => {
    expect(monthKeysBetween('2025-11', '2026-02')).to.deep.equal(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(monthKeysBetween('2026-03', '2026-03')).to.deep.equal(['2026-03']);
    expect(monthKeysBetween('2026-04', '2026-03')).to.deep.equal([]);
  });

  it('validates IANA timezones', () => {
    expect(isValidTimezone('UTC')).to.equal(true);
    expect(isValidTimezone('Europe/Berlin')).to.equal(true);
    expect(isValidTimezone('Mars/Olympus')).to.equal(false);
    expect(isValidTimezone('')).to.equal(false);
  });
});
