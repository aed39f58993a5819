/** The booking widget's pure helpers: preferred times to UTC, seats, readiness, rating and price lines. */
import { expect } from 'chai';
import { seatsText } from '../../widgets/src/mentor-booking/views/mentor.ts';
import { readiness } from '../../widgets/src/mentor-booking/views/mine.ts';
import { priceText, ratingText, type Mentor } from '../../widgets/src/mentor-booking/views/profile.ts';
import { preferredTimes } from '../../widgets/src/mentor-booking/views/request-form.ts';

describe('<mentor-booking> helpers', () => {
  it('turns datetime-local values (local wall time) into UTC instants, leaving out empty inputs', () => {
    const local = '2030-05-01T09:30';
    expect(preferredTimes([local, '', '  ', '2030-05-02T18:00'])).to.deep.equal([new Date(local).toISOString(), new Date('2030-05-02T18:00').toISOString()]);
    // An unreadable value is sent as typed, for the API to name.
    expect(preferredTimes(['not a time'])).to.deep.equal(['not a time']);
  });

  it('says how many seats are left', () => {
    expect([seatsText(0), seatsText(1), seatsText(4)]).to.deep.equal(['Full', '1 seat left', '4 seats left']);
  });

  it("says the learner's and the mentor's readiness", () => {
    expect(readiness({ learner_ready_at: null, session_summary: { mentor_ready: false } })).to.equal('You have not confirmed you are ready. The mentor is not ready yet.');
    expect(readiness({ learner_ready_at: '2030-01-01T00:00:00Z', session_summary: { mentor_ready: true } })).to.equal('You are ready. The mentor is ready.');
  });

  it('describes rating and price', () => {
    const mentor = { average_rating: null, feedback_count: 0, hourly_rate: null, currency: 'USD' } as unknown as Mentor;
    expect([ratingText(mentor), priceText(mentor)]).to.deep.equal(['No reviews yet', 'Rate not set']);
    const rated = { ...mentor, average_rating: 4.5, feedback_count: 2, hourly_rate: '45.00' } as Mentor;
    expect(ratingText(rated)).to.equal('Rated 4.5 of 5 (2 reviews)');
    expect(priceText(rated)).to.match(/45\.00 per hour$/);
  });
});
