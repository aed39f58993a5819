/** Presentational pieces every widget's views use: status badges, a retryable loading area, form error reset. */
import { h, render, type Child } from './dom.ts';

export const loading = (what: string) => h('p', { class: 'py-8 text-center text-sm text-ink-muted', role: 'status' }, `Loading ${what}…`);

const STATUS_STYLES: Record<string, string> = {
  draft: 'bg-slate-100 text-slate-800',
  scheduled: 'bg-blue-100 text-blue-900',
  in_progress: 'bg-amber-100 text-amber-900',
  completed: 'bg-green-100 text-green-900',
  cancelled: 'bg-red-100 text-red-900',
  pending: 'bg-amber-100 text-amber-900',
  approved: 'bg-blue-100 text-blue-900',
  paid: 'bg-green-100 text-green-900',
  rejected: 'bg-red-100 text-red-900',
  accepted: 'bg-green-100 text-green-900',
  attended: 'bg-green-100 text-green-900',
  no_show: 'bg-red-100 text-red-900',
  booked: 'bg-blue-100 text-blue-900',
  declined: 'bg-red-100 text-red-900',
};

export const statusLabel = (status: string) => status.replace('_', ' ').replace(/^./, (c) => c.toUpperCase());

export function statusBadge(status: string): HTMLElement {
  return h(
    'span',
    { class: `inline-block rounded-full px-2 py-0.5 text-xs font-semibold ${STATUS_STYLES[status] ?? 'bg-slate-100 text-slate-800'}`, 'data-status': status },
    statusLabel(status),
  );
}

export function failure(message: string, retry: () => void): HTMLElement {
  return h(
    'div',
    { class: 'card p-4 flex flex-wrap items-center justify-between gap-3', role: 'alert' },
    h('p', { class: 'text-sm text-danger' }, message),
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: retry }, 'Try again'),
  );
}

/**
 * Runs `load` and renders its result into `container`: a loading line first, a retryable error
 * when it fails (unless the work was aborted).
 */
export function loadInto(
  container: HTMLElement,
  what: string,
  signal: AbortSignal,
  fail: (error: unknown) => string | null,
  load: () => Promise<Child>,
): void {
  render(container, loading(what));
  load().then(
    (content) => {
      if (!signal.aborted) render(container, content);
    },
    (error: unknown) => {
      const message = signal.aborted ? null : fail(error);
      if (message) render(container, failure(message, () => loadInto(container, what, signal, fail, load)));
    },
  );
}

/** Hides every field and form error line of `form` and clears `aria-invalid`. */
export function clearErrors(form: HTMLElement): void {
  for (const el of form.querySelectorAll<HTMLElement>('.field-error, .form-error')) {
    el.hidden = true;
    el.textContent = '';
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}
