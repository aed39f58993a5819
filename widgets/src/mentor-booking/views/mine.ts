/**
 * "My bookings" (upcoming and past, readiness, "Join class", cancel) and "My requests" (status,
 * withdraw). Booked sessions follow `session_{id}` pushes; the lists reload when a notification
 * says a request was answered or a booked session changed.
 */
import { unwrap, type Schema } from '../../shared/api.ts';
import { h, render } from '../../shared/dom.ts';
import { formatDateTimeZone } from '../../shared/format.ts';
import type { SessionUpdate } from '../../shared/protocol.ts';
import type { BookingContext, LiveView } from '../context.ts';
import { empty, heading, loadInto, refusal, statusBadge } from '../ui.ts';

type Booking = Schema<'Booking'>;
type LearnerRequest = Schema<'Request'>;

/** What a booking's readiness line says. */
export function readiness(b: Pick<Booking, 'learner_ready_at'> & { session_summary: { mentor_ready: boolean } }): string {
  const mentor = b.session_summary.mentor_ready ? 'The mentor is ready.' : 'The mentor is not ready yet.';
  return `${b.learner_ready_at ? 'You are ready.' : 'You have not confirmed you are ready.'} ${mentor}`;
}

export class MineView implements LiveView {
  readonly #ctx: BookingContext;
  readonly #upcoming = h('div');
  readonly #past = h('div');
  readonly #requests = h('div');
  #subscribed = new Set<number>();

  constructor(ctx: BookingContext) {
    this.#ctx = ctx;
  }

  render(into: HTMLElement): void {
    const level = this.#ctx.headingLevel;
    render(
      into,
      h(
        'div',
        { class: 'flex flex-col gap-5 min-w-0' },
        h('section', { part: 'bookings', class: 'flex flex-col gap-3 min-w-0', 'aria-label': 'My bookings' }, heading(level, 'My bookings'), heading(level + 1, 'Upcoming', { class: 'text-base font-semibold' }), this.#upcoming, heading(level + 1, 'Past', { class: 'text-base font-semibold' }), this.#past),
        h('section', { part: 'requests', class: 'flex flex-col gap-3 min-w-0', 'aria-label': 'My requests' }, heading(level, 'My requests'), this.#requests),
      ),
    );
    this.reload();
  }

  reload(): void {
    this.#loadBookings();
    this.#loadRequests();
  }

  onSessionUpdate(update: SessionUpdate): void {
    const s = update.session;
    if (!s) return;
    for (const row of this.#upcoming.querySelectorAll<HTMLElement>(`[data-session-id="${s.id}"]`)) {
      row.querySelector('[data-session-status]')?.replaceChildren(statusBadge(s.status));
      const line = row.querySelector('[data-readiness]');
      if (line) line.textContent = readiness({ learner_ready_at: row.dataset.ready || null, session_summary: s });
      if (s.status !== 'scheduled') row.querySelector('[data-action="cancel"]')?.remove();
      if (s.status === 'cancelled' || s.status === 'completed') row.querySelector('[data-action="join"]')?.remove();
    }
  }

  onNotification(type: string): void {
    if (/^request_/.test(type)) this.#loadRequests();
    if (/^(request_accepted|session_|booking_)/.test(type)) this.#loadBookings();
  }

  onReconnected(): void {
    this.reload();
  }

  #loadBookings(): void {
    const { api, signal, fail, realtime } = this.#ctx;
    loadInto(this.#upcoming, 'your bookings', signal, fail, async () => {
      const page = await unwrap(api.GET('/api/bookings/', { params: { query: { upcoming: true, status: 'booked', page_size: 100 } } }));
      const ids = new Set(page.results.map((b) => b.session));
      for (const id of this.#subscribed) if (!ids.has(id)) realtime.unsubscribe(`session_${id}`);
      for (const id of ids) realtime.subscribe(`session_${id}`);
      this.#subscribed = ids;
      if (!page.results.length) return empty('No upcoming bookings.');
      return h('ul', { class: 'flex flex-col gap-3', 'aria-label': 'Upcoming bookings' }, page.results.map((b) => this.#booking(b, true)));
    });
    loadInto(this.#past, 'past bookings', signal, fail, async () => {
      const page = await unwrap(api.GET('/api/bookings/', { params: { query: { upcoming: false, page_size: 50 } } }));
      if (!page.results.length) return empty('No past bookings.');
      return h('ul', { class: 'flex flex-col gap-3', 'aria-label': 'Past bookings' }, [...page.results].reverse().map((b) => this.#booking(b, false)));
    });
  }

  #booking(b: Booking, upcoming: boolean): HTMLLIElement {
    const s = b.session_summary;
    const live = upcoming && b.status === 'booked';
    const room = `/room/${s.id}`;
    const row: HTMLLIElement = h(
      'li',
      { part: 'booking', class: 'card p-4 flex flex-col gap-2 min-w-0', 'data-booking-id': b.id, 'data-session-id': s.id, 'data-ready': b.learner_ready_at ?? '' },
      h('p', { class: 'font-semibold break-words' }, s.title),
      h('p', { class: 'text-sm' }, h('time', { datetime: s.start_time }, formatDateTimeZone(s.start_time))),
      h('div', { class: 'flex flex-wrap items-center gap-2 text-sm' }, 'Booking ', statusBadge(b.status), ' Session ', h('span', { 'data-session-status': '' }, statusBadge(s.status))),
      live && h('p', { class: 'text-sm text-ink-muted', 'data-readiness': '' }, readiness(b)),
      live &&
        h(
          'div',
          { class: 'flex flex-wrap items-center gap-2' },
          s.status !== 'cancelled' &&
            h('a', { href: this.#ctx.resolve(room), class: 'btn btn-primary', 'data-action': 'join', onclick: (e: MouseEvent) => (e.preventDefault(), this.#ctx.navigate(room)) }, 'Join class'),
          s.status === 'scheduled' && h('button', { type: 'button', class: 'btn btn-danger', 'data-action': 'cancel', onclick: () => void this.#cancel(b, row) }, 'Cancel booking'),
        ),
      h('p', { class: 'row-error text-sm text-danger', role: 'alert', hidden: true }),
    );
    return row;
  }

  async #cancel(b: Booking, row: HTMLLIElement): Promise<void> {
    const button = row.querySelector<HTMLButtonElement>('[data-action="cancel"]')!;
    const error = row.querySelector<HTMLElement>('.row-error')!;
    button.disabled = true;
    error.hidden = true;
    try {
      await unwrap(this.#ctx.api.POST('/api/bookings/{id}/cancel/', { params: { path: { id: b.id } } }));
      this.#ctx.announce(`Cancelled your booking for “${b.session_summary.title}”.`);
      this.#ctx.changed();
    } catch (e) {
      button.disabled = false;
      if (this.#ctx.fail(e) === null) return;
      error.textContent = refusal(e, 'The booking could not be cancelled.');
      error.hidden = false;
    }
  }

  #loadRequests(): void {
    const { api, signal, fail } = this.#ctx;
    loadInto(this.#requests, 'your requests', signal, fail, async () => {
      const page = await unwrap(api.GET('/api/requests/', { params: { query: { status: 'all', page_size: 50 } } }));
      if (!page.results.length) return empty('No requests yet. Ask a mentor for a session from their page.');
      return h('ul', { class: 'flex flex-col gap-3', 'aria-label': 'My requests' }, page.results.map((r) => this.#request(r)));
    });
  }

  #request(r: LearnerRequest): HTMLLIElement {
    const row: HTMLLIElement = h(
      'li',
      { part: 'request', class: 'card p-4 flex flex-col gap-2 min-w-0', 'data-request-id': r.id, 'data-request-status': r.status },
      h('div', { class: 'flex flex-wrap items-center gap-2' }, h('p', { class: 'font-semibold break-words min-w-0' }, r.topic), statusBadge(r.status)),
      h('p', { class: 'text-sm text-ink-muted' }, `To ${r.mentor_summary.first_name} ${r.mentor_summary.last_name}`.trim()),
      h('ul', { class: 'text-sm list-disc pl-5', 'aria-label': 'Preferred times' }, r.preferred_times.map((t) => h('li', null, h('time', { datetime: t }, formatDateTimeZone(t))))),
      r.status === 'accepted' && r.session && h('p', { class: 'text-sm text-success' }, 'Accepted: the session is in your upcoming bookings.'),
      r.status === 'declined' && h('p', { class: 'text-sm' }, r.decline_reason ? `Declined: ${r.decline_reason}` : 'Declined.'),
      r.status === 'pending' && h('button', { type: 'button', class: 'btn btn-secondary self-start', 'data-action': 'withdraw', onclick: () => void this.#withdraw(r, row) }, 'Withdraw request'),
      h('p', { class: 'row-error text-sm text-danger', role: 'alert', hidden: true }),
    );
    return row;
  }

  async #withdraw(r: LearnerRequest, row: HTMLLIElement): Promise<void> {
    const error = row.querySelector<HTMLElement>('.row-error')!;
    try {
      await unwrap(this.#ctx.api.POST('/api/requests/{id}/cancel/', { params: { path: { id: r.id } } }));
      this.#ctx.announce(`Withdrew “${r.topic}”.`);
      this.#loadRequests();
    } catch (e) {
      if (this.#ctx.fail(e) === null) return;
      error.textContent = refusal(e, 'The request could not be withdrawn.');
      error.hidden = false;
    }
  }
}
