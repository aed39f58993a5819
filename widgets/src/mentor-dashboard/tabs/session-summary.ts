/** A session's row in the Sessions tab, left side: title, status, time, price, bookings and readiness. */
import type { Schema } from '../../shared/api.ts';
import { h } from '../../shared/dom.ts';
import { formatDateTimeZone, formatMoney } from '../../shared/format.ts';
import { statusBadge } from '../ui.ts';

export function sessionSummary(s: Schema<'Session'>): HTMLElement {
  const price = s.price === null ? 'Free' : formatMoney(s.price, s.currency);
  const readiness = [s.mentor_ready ? 'You are ready' : null, s.ready_learner_count ? `${s.ready_learner_count} learner${s.ready_learner_count === 1 ? '' : 's'} ready` : null]
    .filter(Boolean)
    .join(' · ');
  return h(
    'div',
    { class: 'min-w-0 flex-1 flex flex-col gap-1' },
    h(
      'div',
      { class: 'flex flex-wrap items-center gap-2' },
      h('h3', { class: 'session-title font-semibold break-words min-w-0', tabindex: '-1' }, s.title),
      statusBadge(s.status),
    ),
    h('p', { class: 'text-sm text-ink-muted' }, `${formatDateTimeZone(s.start_time)} · ${s.duration} min · ${price}`),
    h(
      'p',
      { class: 'text-sm' },
      h('span', { 'data-participants': s.participant_count }, String(s.participant_count)),
      ` of ${s.capacity} booked`,
      readiness ? ` · ${readiness}` : '',
    ),
  );
}
