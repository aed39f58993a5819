/**
 * The dashboard's metric cards (total students, sessions, rating, earnings), loaded from
 * `/api/analytics/` and `/api/earnings/` and reloaded, debounced, when something they count changed.
 */
import { unwrap, type Api, type Schema } from '../shared/api.ts';
import { h, render } from '../shared/dom.ts';
import { formatMoney } from '../shared/format.ts';

/** Reloads within this long are coalesced into one. */
const REFRESH_MS = 300;

export class MetricCards {
  readonly root = h('section', { 'aria-label': 'Key metrics', class: 'grid grid-cols-1 gap-3 @min-[40rem]:grid-cols-2 @min-[56rem]:grid-cols-4' });
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `fail`: reports a failure, returning the sentence to show (null when the load was aborted). */
  constructor(
    private readonly api: Api,
    private readonly fail: (error: unknown, signal: AbortSignal) => string | null,
  ) {
    this.render(null, null);
  }

  load(signal: AbortSignal): void {
    Promise.all([unwrap(this.api.GET('/api/analytics/')), unwrap(this.api.GET('/api/earnings/'))]).then(
      ([analytics, earnings]) => {
        if (!signal.aborted) this.render(analytics, earnings);
      },
      (error: unknown) => {
        const message = this.fail(error, signal);
        if (message) render(this.root, h('p', { class: 'text-sm text-danger', role: 'alert' }, `Metrics are unavailable: ${message}`));
      },
    );
  }

  /** Loads again shortly (several changes in a row cause one load). */
  refresh(signal: AbortSignal): void {
    this.dispose();
    this.#timer = setTimeout(() => this.load(signal), REFRESH_MS);
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }

  render(a: Schema<'Analytics'> | null, e: Schema<'Earnings'> | null): void {
    const card = (key: string, label: string, value: string | null, note: string | null) =>
      h(
        'div',
        { class: 'card p-4 min-w-0', part: 'metric', 'data-metric': key },
        h('p', { class: 'text-sm text-ink-muted' }, label),
        h('p', { class: 'metric-value mt-1 text-2xl font-bold break-words' }, value ?? '…'),
        note && h('p', { class: 'text-xs text-ink-muted' }, note),
      );
    const rating = a?.average_rating;
    render(
      this.root,
      card('students', 'Total students', a ? String(a.students) : null, 'last 12 months'),
      card('sessions', 'Sessions', a ? String(a.total_sessions) : null, 'last 12 months'),
      card('rating', 'Rating', a ? (rating == null ? '—' : rating.toFixed(1)) : null, a ? `${a.feedback_count} review${a.feedback_count === 1 ? '' : 's'}` : null),
      card('earnings', 'Earnings', e ? formatMoney(e.total_earned, e.currency) : null, e ? `${formatMoney(e.available, e.currency)} available` : null),
    );
  }
}
