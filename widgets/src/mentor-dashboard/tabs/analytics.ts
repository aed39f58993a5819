/** Analytics: the mentor's metrics over the last 12 months, with charts. */
import { unwrap, type Schema } from '../../shared/api.ts';
import { h, render } from '../../shared/dom.ts';
import { formatDateTime, formatMoney, formatMonth, formatPercent } from '../../shared/format.ts';
import { barChart } from '../charts.ts';
import type { DashboardContext, DashboardTab } from '../context.ts';
import { empty, loadInto, sectionHeading, statusLabel } from '../ui.ts';

type Analytics = Schema<'Analytics'>;

function tile(label: string, value: string, key: string): HTMLElement {
  return h(
    'div',
    { class: 'card p-4 min-w-0', 'data-metric': key },
    h('p', { class: 'text-sm text-ink-muted' }, label),
    h('p', { class: 'mt-1 text-xl font-semibold' }, value),
  );
}

function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

export class AnalyticsTab implements DashboardTab {
  readonly id = 'analytics';
  readonly label = 'Analytics';
  readonly #ctx: DashboardContext;

  constructor(ctx: DashboardContext) {
    this.#ctx = ctx;
  }

  show(panel: HTMLElement, _target: string | undefined, signal: AbortSignal): void {
    const body = h('div');
    render(panel, body);
    loadInto(body, 'analytics', signal, this.#ctx.fail, async () => this.#render(await unwrap(this.#ctx.api.GET('/api/analytics/'))));
  }

  #render(a: Analytics): HTMLElement {
    const currency = this.#ctx.profile.currency;
    const ratings = (['1', '2', '3', '4', '5'] as const).map((star) => ({
      label: `${star}★`,
      value: a.rating_distribution[star],
      display: `${a.rating_distribution[star]} × ${star} star${star === '1' ? '' : 's'}`,
    }));
    const statuses = (Object.keys(a.sessions_by_status) as Array<keyof Analytics['sessions_by_status']>).map((status) => ({
      label: statusLabel(status),
      value: a.sessions_by_status[status],
      display: `${a.sessions_by_status[status]} ${statusLabel(status).toLowerCase()}`,
    }));
    return h(
      'div',
      { class: 'flex flex-col gap-4' },
      sectionHeading('Analytics'),
      h('p', { class: 'text-sm text-ink-muted -mt-3' }, `Sessions starting ${formatDateTime(a.from)} – ${formatDateTime(a.to)}`),
      h(
        'div',
        { class: 'grid grid-cols-1 gap-3 @min-[30rem]:grid-cols-2 @min-[56rem]:grid-cols-4' },
        tile('Students', String(a.students), 'students'),
        tile('Sessions', String(a.total_sessions), 'total_sessions'),
        tile('Average rating', a.average_rating === null ? '—' : `${a.average_rating.toFixed(1)} / 5 (${a.feedback_count})`, 'average_rating'),
        tile('Repeat learners', String(a.repeat_learners), 'repeat_learners'),
        tile('Attendance', formatPercent(a.attendance_rate), 'attendance_rate'),
        tile('Cancellations', formatPercent(a.cancellation_rate), 'cancellation_rate'),
        tile('Requests accepted', formatPercent(a.request_acceptance_rate), 'request_acceptance_rate'),
        tile('Median response', duration(a.median_response_time_seconds), 'median_response_time_seconds'),
      ),
      h(
        'div',
        { class: 'grid grid-cols-1 gap-4 @min-[48rem]:grid-cols-2' },
        // The range ends now, so its "scheduled" are sessions whose start has passed; the ones
        // ahead are counted under Upcoming sessions.
        barChart('Sessions started in this range, by status', statuses),
        barChart('Ratings', ratings),
      ),
      barChart(
        'Earnings by month',
        a.earnings_by_month.map((m) => ({ label: formatMonth(m.month), value: Number(m.earned), display: formatMoney(m.earned, currency), shown: formatMoney(m.earned, currency) })),
      ),
      h(
        'section',
        { 'aria-label': 'Upcoming sessions' },
        h('h3', { class: 'mb-2 text-base font-semibold', 'data-metric': 'upcoming_count' }, `Upcoming sessions (${a.upcoming_count} scheduled)`),
        a.upcoming_sessions.length
          ? h(
              'ul',
              { class: 'flex flex-col gap-2' },
              a.upcoming_sessions.map((s) =>
                h(
                  'li',
                  { class: 'card p-3 min-w-0' },
                  h('p', { class: 'font-medium break-words' }, s.title),
                  h('p', { class: 'text-sm text-ink-muted' }, `${formatDateTime(s.start_time)} · ${s.participant_count} of ${s.capacity} booked`),
                ),
              ),
            )
          : empty('Nothing scheduled.'),
      ),
    );
  }
}
