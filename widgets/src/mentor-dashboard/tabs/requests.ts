/**
 * Requests: learners' pending requests. Accept with one of the learner's preferred times or another
 * slot (this schedules a one-to-one session with the learner booked), or decline with a reason.
 */
import { unwrap, type Schema } from '../../shared/api.ts';
import { h, render, uid } from '../../shared/dom.ts';
import { formatDateTime, fromLocalInput, fullName } from '../../shared/format.ts';
import type { Notification } from '../../shared/notification-feed.ts';
import type { DashboardContext, DashboardTab } from '../context.ts';
import { clearErrors, field, formError, input, showErrors, textarea } from '../forms.ts';
import { empty, loadInto, sectionHeading } from '../ui.ts';

type MentorRequest = Schema<'Request'>;

const OTHER = 'other';

export class RequestsTab implements DashboardTab {
  readonly id = 'requests';
  readonly label = 'Requests';
  readonly #ctx: DashboardContext;
  #container: HTMLElement | null = null;
  #list: HTMLUListElement | null = null;
  #signal: AbortSignal | null = null;

  constructor(ctx: DashboardContext) {
    this.#ctx = ctx;
  }

  show(panel: HTMLElement, _target: string | undefined, signal: AbortSignal): void {
    const container = h('div');
    this.#container = container;
    this.#signal = signal;
    this.#list = h('ul', { class: 'flex flex-col gap-4', 'aria-label': 'Pending requests' });
    render(panel, sectionHeading('Pending requests'), container);
    loadInto(container, 'requests', signal, this.#ctx.fail, async () => {
      const pending = await this.#pending();
      this.#list!.append(...pending.map((r) => this.#card(r)));
      return pending.length ? this.#list : empty('No pending requests.');
    });
  }

  /** New or withdrawn requests while the tab is open: add and retire cards, leaving the rest (and any typing) alone. */
  onNotifications(added: Notification[]): void {
    if (added.some((n) => n.type === 'request_created' || n.type === 'request_cancelled')) void this.#sync();
  }

  #pending(): Promise<MentorRequest[]> {
    return unwrap(this.#ctx.api.GET('/api/requests/', { params: { query: { status: 'pending', page_size: 100 } } })).then((page) => page.results);
  }

  async #sync(): Promise<void> {
    const list = this.#list;
    const signal = this.#signal;
    if (!list || !signal || !this.#container) return;
    try {
      const pending = await this.#pending();
      if (signal.aborted) return;
      const shown = new Map([...list.querySelectorAll<HTMLLIElement>('[data-request-id]')].map((li) => [Number(li.dataset.requestId), li]));
      const fresh = pending.filter((r) => !shown.has(r.id));
      list.prepend(...fresh.map((r) => this.#card(r)));
      const stillPending = new Set(pending.map((r) => r.id));
      for (const [id, card] of shown) {
        if (stillPending.has(id) || !card.querySelector('form')) continue;
        for (const form of card.querySelectorAll('form')) form.remove();
        card.append(h('p', { class: 'text-sm text-ink-muted', 'data-result': 'withdrawn' }, 'This request is no longer pending.'));
      }
      if (!list.isConnected && list.childElementCount) render(this.#container, list);
      if (fresh.length) this.#ctx.announce(fresh.length === 1 ? `New request: ${fresh[0]!.topic}` : `${fresh.length} new requests`);
    } catch (error) {
      this.#ctx.fail(error);
    }
  }

  #card(r: MentorRequest): HTMLLIElement {
    const card = h(
      'li',
      { class: 'card p-4 flex flex-col gap-3', 'data-request-id': r.id, part: 'request' },
      h(
        'div',
        { class: 'min-w-0' },
        h('h3', { class: 'font-semibold break-words' }, r.topic),
        h('p', { class: 'text-sm text-ink-muted' }, `From ${fullName(r.learner_summary)} · sent ${formatDateTime(r.created_at)}`),
        r.message && h('p', { class: 'mt-2 text-sm whitespace-pre-line break-words' }, r.message),
      ),
    );
    card.append(this.#acceptForm(r, card), this.#declineForm(r, card));
    return card;
  }

  #acceptForm(r: MentorRequest, card: HTMLLIElement): HTMLFormElement {
    const group = uid('slot');
    const future = r.preferred_times.filter((t) => new Date(t).getTime() > Date.now());
    const other = input({ type: 'datetime-local', 'aria-label': 'Another time' });
    const duration = input({ type: 'number', min: 5, max: 1440, step: 5, value: '60', required: true });
    const radio = (value: string, label: string, checked: boolean) => {
      const id = uid('slot-option');
      return h(
        'div',
        { class: 'flex items-center gap-2' },
        h('input', { type: 'radio', name: group, value, id, checked, class: 'size-4' }),
        h('label', { for: id, class: 'text-sm' }, label),
      );
    };
    other.addEventListener('focus', () => {
      const choice = form.querySelector<HTMLInputElement>(`input[type=radio][value="${OTHER}"]`);
      if (choice) choice.checked = true;
    });
    const form: HTMLFormElement = h(
      'form',
      {
        class: 'flex flex-col gap-3',
        'aria-label': `Accept “${r.topic}”`,
        onsubmit: (event: SubmitEvent) => {
          event.preventDefault();
          const chosen = form.querySelector<HTMLInputElement>('input[type=radio]:checked')?.value;
          const start = chosen === OTHER || !chosen ? (fromLocalInput(other.value) ?? other.value) : chosen;
          void this.#accept(r, card, form, { start_time: start, duration: Number(duration.value) });
        },
      },
      h(
        'fieldset',
        { class: 'flex flex-col gap-2', 'data-field': 'start_time' },
        h('legend', { class: 'mb-1 text-sm font-medium' }, 'Time slot'),
        future.map((t, i) => radio(t, formatDateTime(t), i === 0)),
        h('div', { class: 'flex flex-wrap items-center gap-2' }, radio(OTHER, 'Another time:', future.length === 0), h('div', { class: 'w-full max-w-64' }, other)),
        h('p', { class: 'field-error text-sm text-danger', hidden: true }),
      ),
      h('div', { class: 'max-w-48' }, field({ name: 'duration', label: 'Duration (minutes)', control: duration })),
      formError(),
      h(
        'div',
        { class: 'flex flex-wrap gap-2' },
        h('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'accept' }, 'Accept'),
        h('button', { type: 'button', class: 'btn btn-danger', 'data-action': 'decline', onclick: () => this.#toggleDecline(card) }, 'Decline…'),
      ),
    );
    return form;
  }

  #declineForm(r: MentorRequest, card: HTMLLIElement): HTMLFormElement {
    const reason = textarea({ maxlength: 500, placeholder: 'Optional, shown to the learner' });
    const form: HTMLFormElement = h(
      'form',
      {
        class: 'decline-form flex flex-col gap-3',
        hidden: true,
        'aria-label': `Decline “${r.topic}”`,
        onsubmit: (event: SubmitEvent) => {
          event.preventDefault();
          const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
          void this.#decline(r, card, form, body);
        },
      },
      field({ name: 'reason', label: 'Reason for declining', control: reason }),
      formError(),
      h(
        'div',
        { class: 'flex flex-wrap gap-2' },
        h('button', { type: 'submit', class: 'btn btn-danger', 'data-action': 'confirm-decline' }, 'Decline request'),
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => this.#toggleDecline(card) }, 'Back'),
      ),
    );
    return form;
  }

  #toggleDecline(card: HTMLLIElement): void {
    const decline = card.querySelector<HTMLFormElement>('.decline-form');
    if (!decline) return;
    decline.hidden = !decline.hidden;
    if (!decline.hidden) decline.querySelector('textarea')?.focus();
  }

  async #accept(r: MentorRequest, card: HTMLLIElement, form: HTMLFormElement, body: Schema<'RequestAccept'>): Promise<void> {
    await this.#answer(card, form, 'The request could not be accepted.', async () => {
      const accepted = await unwrap(this.#ctx.api.POST('/api/requests/{id}/accept/', { params: { path: { id: r.id } }, body }));
      return h(
        'p',
        { class: 'text-sm text-success', 'data-result': 'accepted' },
        `Accepted: “${r.topic}” is scheduled for ${formatDateTime(body.start_time)}. `,
        accepted.session &&
          h('a', { href: `#sessions/${accepted.session}`, class: 'font-medium text-accent underline', onclick: (e: MouseEvent) => this.#open(e, accepted.session!) }, 'View session'),
      );
    });
  }

  async #decline(r: MentorRequest, card: HTMLLIElement, form: HTMLFormElement, body: Schema<'RequestDecline'>): Promise<void> {
    await this.#answer(card, form, 'The request could not be declined.', async () => {
      await unwrap(this.#ctx.api.POST('/api/requests/{id}/decline/', { params: { path: { id: r.id } }, body }));
      return h('p', { class: 'text-sm text-ink-muted', 'data-result': 'declined' }, `Declined “${r.topic}”.`);
    });
  }

  /** Submits an answer; on success the card shows the outcome instead of its forms. */
  async #answer(card: HTMLLIElement, form: HTMLFormElement, fallback: string, send: () => Promise<HTMLElement>): Promise<void> {
    const buttons = [...card.querySelectorAll('button')];
    for (const b of buttons) b.disabled = true;
    clearErrors(form);
    try {
      const outcome = await send();
      for (const f of card.querySelectorAll('form')) f.remove();
      card.append(outcome);
      this.#ctx.announce(outcome.textContent ?? '');
      this.#ctx.refreshMetrics();
    } catch (error) {
      for (const b of buttons) b.disabled = false;
      if (this.#ctx.fail(error) !== null) showErrors(form, error, fallback);
    }
  }

  #open(event: MouseEvent, sessionId: number): void {
    event.preventDefault();
    this.#ctx.navigate(`/dashboard#sessions/${sessionId}`);
  }
}
