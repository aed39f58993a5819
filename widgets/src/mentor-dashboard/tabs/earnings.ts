/**
 * Earnings: totals, the monthly chart, the payout request form (idempotent: one key per intended
 * payout, reused when the same submission is retried) and the payout history.
 */
import { unwrap, type Schema } from '../../shared/api.ts';
import { h, render } from '../../shared/dom.ts';
import { formatDateTime, formatMoney, formatMonth } from '../../shared/format.ts';
import { barChart } from '../charts.ts';
import type { DashboardContext, DashboardTab } from '../context.ts';
import { clearErrors, field, formError, formGrid, input, showErrors } from '../forms.ts';
import { empty, loadInto, sectionHeading, statusBadge } from '../ui.ts';

type Earnings = Schema<'Earnings'>;
type Payout = Schema<'Payout'>;

/** A fresh Idempotency-Key (getRandomValues works outside secure contexts, unlike randomUUID). */
function newKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function amountTile(label: string, amount: string, currency: string, key: string): HTMLElement {
  return h(
    'div',
    { class: 'card p-4 min-w-0', 'data-amount': key },
    h('p', { class: 'text-sm text-ink-muted' }, label),
    h('p', { class: 'mt-1 text-xl font-semibold break-words' }, formatMoney(amount, currency)),
  );
}

export class EarningsTab implements DashboardTab {
  readonly id = 'earnings';
  readonly label = 'Earnings';
  readonly #ctx: DashboardContext;
  /** The key of the payout being requested; a new one after each success. */
  #idempotencyKey = newKey();

  constructor(ctx: DashboardContext) {
    this.#ctx = ctx;
  }

  show(panel: HTMLElement, _target: string | undefined, signal: AbortSignal): void {
    const summary = h('div');
    const history = h('div');
    render(panel, summary, history);
    const loadSummary = () =>
      loadInto(summary, 'earnings', signal, this.#ctx.fail, async () => {
        const earnings = await unwrap(this.#ctx.api.GET('/api/earnings/'));
        return this.#summary(earnings, () => {
          loadSummary();
          loadHistory();
          this.#ctx.refreshMetrics();
        });
      });
    const loadHistory = () =>
      loadInto(history, 'payouts', signal, this.#ctx.fail, async () => {
        const page = await unwrap(this.#ctx.api.GET('/api/payouts/', { params: { query: { page_size: 50 } } }));
        return this.#history(page.results);
      });
    loadSummary();
    loadHistory();
  }

  #summary(e: Earnings, onPayout: () => void): HTMLElement {
    return h(
      'section',
      { class: 'flex flex-col gap-4 mb-6', 'aria-label': 'Earnings summary' },
      sectionHeading('Earnings'),
      h(
        'div',
        { class: 'grid grid-cols-1 gap-3 @min-[30rem]:grid-cols-2 @min-[56rem]:grid-cols-5' },
        amountTile('Total earned', e.total_earned, e.currency, 'total_earned'),
        amountTile('Available', e.available, e.currency, 'available'),
        amountTile('Upcoming', e.upcoming, e.currency, 'upcoming'),
        amountTile('Paid out', e.paid_out, e.currency, 'paid_out'),
        amountTile('Pending payouts', e.pending_payouts, e.currency, 'pending_payouts'),
      ),
      barChart(
        `Earned per month (${e.timezone})`,
        e.monthly.map((m) => ({ label: formatMonth(m.month), value: Number(m.earned), display: formatMoney(m.earned, e.currency), shown: formatMoney(m.earned, e.currency) })),
      ),
      this.#payoutForm(e, onPayout),
    );
  }

  #payoutForm(e: Earnings, onPayout: () => void): HTMLFormElement {
    const amount = input({ type: 'text', inputmode: 'decimal', required: true, value: Number(e.available) > 0 ? e.available : '' });
    const note = input({ type: 'text', maxlength: 500 });
    const form = formGrid(
      {
        class: 'card p-4',
        'aria-label': 'Request a payout',
        onsubmit: async (event: SubmitEvent) => {
          event.preventDefault();
          const submit = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
          submit.disabled = true;
          clearErrors(form);
          const body: Schema<'PayoutCreate'> = note.value.trim() ? { amount: amount.value.trim(), note: note.value.trim() } : { amount: amount.value.trim() };
          try {
            await unwrap(this.#ctx.api.POST('/api/payouts/', { params: { header: { 'Idempotency-Key': this.#idempotencyKey } }, body }));
            this.#idempotencyKey = newKey();
            this.#ctx.announce('Payout requested.');
            onPayout();
          } catch (error) {
            submit.disabled = false;
            if (this.#ctx.fail(error) !== null) showErrors(form, error, 'The payout could not be requested.');
          }
        },
      },
      h('h3', { class: 'text-base font-semibold @min-[40rem]:col-span-2' }, 'Request a payout'),
      field({ name: 'amount', label: `Amount (${e.currency})`, control: amount, hint: `Available: ${formatMoney(e.available, e.currency)}` }),
      field({ name: 'note', label: 'Note (optional)', control: note }),
      formError(),
      h('div', { class: '@min-[40rem]:col-span-2' }, h('button', { type: 'submit', class: 'btn btn-primary', disabled: Number(e.available) <= 0 }, 'Request payout')),
    );
    // A changed amount is a different payout: it must not replay the previous attempt's key.
    amount.addEventListener('input', () => (this.#idempotencyKey = newKey()));
    return form;
  }

  #history(payouts: Payout[]): HTMLElement {
    return h(
      'section',
      { 'aria-label': 'Payout history' },
      sectionHeading('Payout history'),
      payouts.length
        ? h(
            'ul',
            { class: 'flex flex-col gap-2' },
            payouts.map((p) =>
              h(
                'li',
                { class: 'card p-3 flex flex-wrap items-center justify-between gap-2', 'data-payout-id': p.id },
                h(
                  'div',
                  { class: 'min-w-0' },
                  h('p', { class: 'font-semibold' }, formatMoney(p.amount, p.currency)),
                  h('p', { class: 'text-sm text-ink-muted break-words' }, [`Requested ${formatDateTime(p.requested_at)}`, p.note, p.admin_note && `Admin: ${p.admin_note}`].filter(Boolean).join(' · ')),
                ),
                statusBadge(p.status),
              ),
            ),
          )
        : empty('No payouts yet.'),
    );
  }
}
