/** Pure rules of the read side (src/views): the analytics range and zero-filled counts. */
import { expect } from 'chai';
import { ApiError } from '../../src/errors.ts';
import { analyticsRange, countsOf, MAX_RANGE_YEARS } from '../../src/views/analytics.ts';

const NOW = new Date('2030-06-01T12:00:00.000Z');

describe('view rules', () => {
  describe('analyticsRange', () => {
    it('defaults to the 12 months up to now', () => {
      expect(analyticsRange({}, NOW)).to.deep.equal({ from: new Date('2029-06-01T12:00:00.000Z'), to: NOW });
    });

    it('takes `from` and `to` as given, and `from` alone up to now', () => {
      expect(analyticsRange({ from: new Date('2030-01-01T00:00:00Z'), to: new Date('2030-02-01T00:00:00Z') }, NOW)).to.deep.equal({
        from: new Date('2030-01-01T00:00:00Z'),
        to: new Date('2030-02-01T00:00:00Z'),
      });
      expect(analyticsRange({ from: new Date('2030-05-01T00:00:00Z') }, NOW).to).to.deep.equal(NOW);
    });

    for (const [what, from, to] of [
      ['`from` after `to`', '2030-03-01T00:00:00Z', '2030-02-01T00:00:00Z'],
      ['`from` equal to `to`', '2030-02-01T00:00:00Z', '2030-02-01T00:00:00Z'],
      [`more than ${MAX_RANGE_YEARS} years`, '2019-01-01T00:00:00Z', '2030-01-02T00:00:00Z'],
    ] as const) {
      it(`refuses ${what} with a 400 naming the query field from`, () => {
        let err: unknown;
        try {
          analyticsRange({ from: new Date(from), to: new Date(to) }, NOW);
        } catch (e) {
          err = e;
        }
        expect(err).to.be.instanceOf(ApiError);
        expect((err as ApiError).status).to.equal(400);
        expect((err as ApiError).errors?.map((e) => [e.in, e.path])).to.deep.equal([['query', 'from']]);
      });
    }
  });

  describe('countsOf', () => {
    it('zero-fills the keys, adds numeric strings and ignores unknown keys', () => {
      const rows = [
        { key: 'booked', n: '2' },
        { key: 'attended', n: 3 },
        { key: 'mystery', n: 9 },
      ];
      expect(countsOf(['booked', 'attended', 'no_show'], rows)).to.deep.equal({ booked: 2, attended: 3, no_show: 0 });
    });

    it('matches numeric keys by their text (rating buckets)', () => {
      expect(countsOf(['1', '5'], [{ key: 5, n: 4 }])).to.deep.equal({ '1': 0, '5': 4 });
    });
  });
});
