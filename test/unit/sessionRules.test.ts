/**
 * The session rules on their own, without HTTP or a database: how an edit body is decoded
 * (decodeSessionChanges), which fields an edit changes, what an edit may change (checkEdit), and
 * the readiness window (assertReadyWindow). The API tests
 * (test/api/sessions.test.ts, test/api/reschedule.test.ts) cover the same rules end to end.
 */
import { expect } from 'chai';
import { ApiError } from '../../src/errors.ts';
import { addMinutes } from '../../src/lib/time.ts';
import { Session } from '../../src/models/index.ts';
import { decodeSessionChanges } from '../../src/api/sessions/decode.ts';
import { applyChanges, assertReadyWindow, changedFields, checkEdit } from '../../src/services/sessions.ts';
import { roomWindow, roomWindowState } from '../../src/views/roomWindow.ts';

const NOW = new Date('2030-06-01T12:00:00.000Z');
const DAY = 24 * 60;

function session(over: Partial<Session> = {}): Session {
  const start = over.start_time ?? addMinutes(NOW, 3 * DAY);
  const duration = over.duration ?? 60;
  return Object.assign(new Session(), {
    id: 1,
    mentor_id: 1,
    title: 'Intro',
    description: 'About',
    status: 'scheduled',
    price_cents: 2500,
    currency: 'USD',
    capacity: 3,
    booked_count: 0,
    mentor_ready_at: null,
    ...over,
    start_time: start,
    duration,
    end_time: over.end_time ?? addMinutes(start, duration),
  });
}

/** The ApiError `fn` throws (fails when it throws nothing or something else). */
function refusal(fn: () => void): ApiError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ApiError);
    return err as ApiError;
  }
  expect.fail('expected a refusal');
}

describe('session rules', () => {
  describe('decodeSessionChanges, applyChanges and changedFields', () => {
    it('an empty change, or one repeating the stored values, changes nothing', () => {
      const s = session();
      expect(changedFields(s, applyChanges(s, {}))).to.deep.equal({});
      expect(changedFields(s, applyChanges(s, { title: 'Intro', capacity: 3, priceCents: 2500, startTime: new Date(s.start_time) }))).to.deep.equal({});
    });

    it('a new duration changes the duration and the end, not the start', () => {
      const s = session();
      expect(changedFields(s, applyChanges(s, { duration: 90 }))).to.deep.equal({ duration: 90, end_time: addMinutes(s.start_time, 90) });
    });

    it('a new start moves the end with it', () => {
      const s = session();
      const start = addMinutes(s.start_time, 30);
      expect(changedFields(s, applyChanges(s, { startTime: start }))).to.deep.equal({ start_time: start, end_time: addMinutes(start, 60) });
    });

    it('prices are compared in cents, and null means free', () => {
      const s = session();
      expect(changedFields(s, applyChanges(s, decodeSessionChanges({ price: '25.5' })))).to.deep.equal({ price_cents: 2550 });
      expect(changedFields(s, applyChanges(s, decodeSessionChanges({ price: null })))).to.deep.equal({ price_cents: null });
    });

    it('refuses a start that is not a date-time, naming the field', () => {
      const err = refusal(() => decodeSessionChanges({ start_time: 'soon' }));
      expect(err.status).to.equal(400);
      expect(err.errors).to.deep.equal([{ in: 'body', path: 'start_time', message: 'must be a date-time' }]);
    });
  });

  describe('checkEdit', () => {
    const edit = (s: Session, changes: Parameters<typeof applyChanges>[1], notice = DAY) =>
      checkEdit(s, changedFields(s, applyChanges(s, changes)), notice, NOW);

    it('lets a session without bookings change anything into the future', () => {
      const s = session({ start_time: addMinutes(NOW, 60) });
      expect(() => edit(s, { startTime: addMinutes(NOW, 30), capacity: 1, priceCents: 1000 })).not.to.throw();
    });

    it('refuses moving a scheduled session into the past (400 start_time), but not a draft', () => {
      const past = addMinutes(NOW, -60);
      expect(refusal(() => edit(session(), { startTime: past })).errors?.[0]?.path).to.equal('start_time');
      expect(() => edit(session({ status: 'draft' }), { startTime: past })).not.to.throw();
    });

    it('moves a booked session only when the old and the new start are both beyond the notice', () => {
      const booked = session({ booked_count: 1 });
      expect(() => edit(booked, { startTime: addMinutes(NOW, 2 * DAY) })).not.to.throw();
      expect(refusal(() => edit(booked, { startTime: addMinutes(NOW, 60) })).code).to.equal('reschedule_notice');
      const soon = session({ booked_count: 1, start_time: addMinutes(NOW, 60) });
      expect(refusal(() => edit(soon, { startTime: addMinutes(NOW, 3 * DAY) })).code).to.equal('reschedule_notice');
      // A shorter session ends earlier: that is a move too; a longer one is not.
      expect(refusal(() => edit(soon, { duration: 30 })).code).to.equal('reschedule_notice');
      expect(() => edit(soon, { duration: 90 })).not.to.throw();
    });

    it('keeps capacity at or above the booked learners, and the price while anyone is booked', () => {
      const booked = session({ booked_count: 2 });
      expect(refusal(() => edit(booked, { capacity: 1 })).code).to.equal('capacity_below_participants');
      expect(() => edit(booked, { capacity: 2 })).not.to.throw();
      expect(refusal(() => edit(booked, { priceCents: 3000 })).code).to.equal('price_locked');
      expect(() => edit(booked, { title: 'Renamed' })).not.to.throw();
    });
  });

  describe('assertReadyWindow', () => {
    const s = session({ start_time: addMinutes(NOW, 30), duration: 60 });

    it('opens leadMinutes before the start and closes at the end', () => {
      expect(refusal(() => assertReadyWindow(s, 15, NOW)).code).to.equal('ready_window_not_open');
      expect(() => assertReadyWindow(s, 30, NOW)).not.to.throw();
      expect(() => assertReadyWindow(s, 15, addMinutes(NOW, 89))).not.to.throw();
      expect(refusal(() => assertReadyWindow(s, 15, addMinutes(NOW, 90))).code).to.equal('ready_window_closed');
    });
  });

  describe('the room window', () => {
    const settings = { leadMinutes: 30, graceMinutes: 15 };
    const s = session({ start_time: addMinutes(NOW, 60), duration: 60 });

    it('opens leadMinutes before the start and closes graceMinutes after the end', () => {
      expect(roomWindow(s, settings)).to.deep.equal({ opensAt: addMinutes(NOW, 30), closesAt: addMinutes(NOW, 135) });
      expect(roomWindowState(s, settings, addMinutes(NOW, 29))).to.equal('not_open_yet');
      expect(roomWindowState(s, settings, addMinutes(NOW, 30))).to.equal('open');
      expect(roomWindowState(s, settings, addMinutes(NOW, 135))).to.equal('closed');
    });

    it('stays open while the session is in progress', () => {
      const live = session({ start_time: addMinutes(NOW, -300), duration: 60, status: 'in_progress' });
      expect(roomWindowState(live, settings, NOW)).to.equal('open');
    });
  });
});
