/**
 * One mentor (`mentor-id`): their card, their upcoming sessions with seats left (bookable), and
 * "Request a session". Seats left follow `session_{id}` pushes.
 */
import { unwrap, type Schema } from '../../shared/api.ts';
import { h, render } from '../../shared/dom.ts';
import { formatDateTimeZone, formatMoney, fullName } from '../../shared/format.ts';
import type { SessionUpdate } from '../../shared/protocol.ts';
import type { BookingContext, LiveView } from '../context.ts';
import { empty, heading, loadInto, refusal } from '../ui.ts';
import { mentorCard, type Mentor } from './profile.ts';
import { requestForm } from './request-form.ts';

type Session = Schema<'Session'>;

export const seatsText = (spots: number) => (spots === 0 ? 'Full' : `${spots} seat${spots === 1 ? '' : 's'} left`);

export class MentorView implements LiveView {
  readonly #ctx: BookingContext;
  readonly #mentorId: number;
  readonly #sessions = h('div', { class: 'flex flex-col gap-3' });
  #rows = new Map<number, HTMLLIElement>();

  constructor(ctx: BookingContext, mentorId: number) {
    this.#ctx = ctx;
    this.#mentorId = mentorId;
  }

  render(into: HTMLElement): void {
    const { api, signal, fail, headingLevel } = this.#ctx;
    loadInto(into, 'the mentor', signal, fail, async () => {
      const mentor = await unwrap(api.GET('/api/mentors/{id}/', { params: { path: { id: this.#mentorId } } }));
      this.#loadSessions();
      return h(
        'div',
        { class: 'flex flex-col gap-5 min-w-0' },
        mentorCard(mentor, this.#ctx, headingLevel, true),
        h('section', { part: 'sessions', class: 'flex flex-col gap-3 min-w-0' }, heading(headingLevel, 'Upcoming sessions'), this.#sessions),
        this.#ctx.canBook && this.#requestSection(mentor),
      );
    });
  }

  onSessionUpdate(update: SessionUpdate): void {
    const row = this.#rows.get(update.sessionId);
    if (!row) return;
    const spots = update.session?.spots_left ?? (update.participantCount !== undefined ? Number(row.dataset.capacity) - update.participantCount : undefined);
    if (update.session && update.session.status !== 'scheduled') {
      row.querySelector('[data-action="book"]')?.remove();
      row.querySelector('[data-spots]')!.textContent = `This session is ${update.session.status.replace('_', ' ')}.`;
      return;
    }
    if (spots !== undefined) this.#showSpots(row, spots);
  }

  onReconnected(): void {
    this.#loadSessions();
  }

  #requestSection(mentor: Mentor): HTMLElement {
    return h(
      'section',
      { part: 'request-form', class: 'flex flex-col gap-3 min-w-0' },
      heading(this.#ctx.headingLevel, 'Request a session'),
      h('p', { class: 'text-sm text-ink-muted' }, `No time that suits you? Ask ${fullName(mentor)} for one.`),
      requestForm(this.#ctx, mentor.id),
    );
  }

  #loadSessions(): void {
    const { api, signal, fail, realtime } = this.#ctx;
    loadInto(this.#sessions, 'sessions', signal, fail, async () => {
      const query = { mentor: this.#mentorId, page_size: 50 };
      const [open, mine] = await Promise.all([
        unwrap(api.GET('/api/sessions/', { params: { query: { ...query, scope: 'open' } } })),
        this.#ctx.canBook ? unwrap(api.GET('/api/sessions/', { params: { query: { ...query, scope: 'booked', status: 'scheduled' } } })) : null,
      ]);
      const byId = new Map<number, Session>();
      for (const s of [...open.results, ...(mine?.results ?? [])]) if (s.status === 'scheduled' && new Date(s.start_time).getTime() > Date.now()) byId.set(s.id, s);
      const sessions = [...byId.values()].sort((a, b) => a.start_time.localeCompare(b.start_time) || a.id - b.id);
      for (const id of this.#rows.keys()) realtime.unsubscribe(`session_${id}`);
      this.#rows = new Map(sessions.map((s) => [s.id, this.#row(s)]));
      for (const id of this.#rows.keys()) realtime.subscribe(`session_${id}`);
      if (!sessions.length) return empty(this.#ctx.canBook ? 'No upcoming sessions with seats left. Request one below.' : 'No upcoming sessions to show.');
      return h('ul', { class: 'flex flex-col gap-3', 'aria-label': 'Upcoming sessions' }, [...this.#rows.values()]);
    });
  }

  #row(s: Session): HTMLLIElement {
    const row = h(
      'li',
      { part: 'session', class: 'card p-4 flex flex-col gap-2 min-w-0', 'data-session-id': s.id, 'data-capacity': s.capacity },
      h('h3', { class: 'font-semibold break-words' }, s.title),
      h('p', { class: 'text-sm' }, h('time', { datetime: s.start_time }, formatDateTimeZone(s.start_time)), ` · ${s.duration} min · `, s.price === null ? 'Free' : formatMoney(s.price, s.currency)),
      s.description && h('p', { class: 'text-sm text-ink-muted whitespace-pre-line break-words' }, s.description),
      h(
        'div',
        { class: 'flex flex-wrap items-center gap-3' },
        h('p', { class: 'text-sm font-medium', 'data-spots': '' }),
        s.my_booking
          ? h('p', { class: 'text-sm text-success', 'data-booked': '' }, 'You are booked. See My bookings.')
          : this.#ctx.canBook && h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'book', onclick: () => void this.#book(s, row) }, 'Book'),
      ),
      h('p', { class: 'row-error text-sm text-danger', role: 'alert', hidden: true }),
    );
    this.#showSpots(row, s.spots_left);
    return row;
  }

  #showSpots(row: HTMLElement, spots: number): void {
    row.querySelector('[data-spots]')!.textContent = seatsText(Math.max(0, spots));
    const book = row.querySelector<HTMLButtonElement>('[data-action="book"]');
    if (book) book.disabled = spots <= 0;
  }

  async #book(s: Session, row: HTMLLIElement): Promise<void> {
    const button = row.querySelector<HTMLButtonElement>('[data-action="book"]')!;
    const error = row.querySelector<HTMLElement>('.row-error')!;
    button.disabled = true;
    error.hidden = true;
    try {
      await unwrap(this.#ctx.api.POST('/api/sessions/{id}/book/', { params: { path: { id: s.id } } }));
      button.replaceWith(h('p', { class: 'text-sm text-success', 'data-booked': '' }, 'You are booked. See My bookings.'));
      this.#ctx.announce(`Booked “${s.title}”.`);
      this.#ctx.changed();
    } catch (e) {
      button.disabled = false;
      if (this.#ctx.fail(e) === null) return;
      render(error, refusal(e, 'The session could not be booked.'));
      error.hidden = false;
    }
  }
}
