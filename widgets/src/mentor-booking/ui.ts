/** Small presentational pieces and form helpers shared by the booking widget's views. */
import { ApiProblem } from '../shared/api.ts';
import { h, uid, type Props } from '../shared/dom.ts';

export { clearErrors, loading, loadInto, statusBadge, statusLabel } from '../shared/ui.ts';
import { clearErrors } from '../shared/ui.ts';

export const empty = (text: string) => h('p', { class: 'py-4 text-sm text-ink-muted', 'data-empty': '' }, text);

/** A heading at `level` (clamped to 2–6). */
export function heading(level: number, text: string, props: Props = {}): HTMLElement {
  const tag = `h${Math.min(6, Math.max(2, level))}` as 'h2';
  return h(tag, { class: 'text-lg font-semibold break-words', ...props }, text);
}

/**
 * The API's refusal in words: the problem's `detail` (or `title`), or the field messages (the
 * spec's `x-error-message` texts, e.g. "must not be empty or only spaces").
 */
export function refusal(error: unknown, fallback: string): string {
  if (!(error instanceof ApiProblem)) return error instanceof Error && error.message ? error.message : fallback;
  return error.problem.detail ?? error.problem.title ?? fallback;
}

type Control = HTMLInputElement | HTMLTextAreaElement;

/** `<div data-field>`: label, control, optional hint and an (initially hidden) error line. */
export function field(name: string, label: string, control: Control, hint?: string): HTMLDivElement {
  const id = control.id || uid(`mb-${name}`);
  control.id = id;
  control.name = name;
  const hintId = hint ? `${id}-hint` : null;
  control.setAttribute('aria-describedby', [hintId, `${id}-error`].filter(Boolean).join(' '));
  return h(
    'div',
    { class: 'flex flex-col gap-1 min-w-0', 'data-field': name },
    h('label', { for: id, class: 'text-sm font-medium' }, label),
    control,
    hint && h('p', { id: hintId, class: 'text-xs text-ink-muted' }, hint),
    h('p', { id: `${id}-error`, class: 'field-error text-sm text-danger', hidden: true }),
  );
}

export const input = (props: Props) => h('input', { class: 'field-input w-full min-w-0', ...props });
export const textarea = (props: Props) => h('textarea', { class: 'field-input w-full min-h-20', ...props });

/** The form-level error line (focusable so it is announced and scrolled to). */
export const formError = () => h('p', { class: 'form-error text-sm text-danger', role: 'alert', tabindex: '-1', hidden: true });

/** Shows `message` beside the field `name` (a check made before sending). */
export function showFieldError(form: HTMLElement, name: string, message: string): void {
  const container = form.querySelector<HTMLElement>(`[data-field="${name}"]`);
  const line = container?.querySelector<HTMLElement>('.field-error');
  if (!container || !line) return;
  line.textContent = message;
  line.hidden = false;
  const control = container.querySelector<HTMLElement>('input, textarea');
  control?.setAttribute('aria-invalid', 'true');
  control?.focus();
}

/** Field errors beside their fields (`preferred_times.1` goes to `preferred_times`), the rest in words in `.form-error`. */
export function showErrors(form: HTMLElement, error: unknown, fallback: string): void {
  clearErrors(form);
  let first: HTMLElement | null = null;
  const fields = error instanceof ApiProblem ? error.fieldErrors() : new Map<string, string>();
  const general: string[] = [];
  for (const [path, message] of fields) {
    const container = form.querySelector<HTMLElement>(`[data-field="${CSS.escape(path.split('.')[0] ?? '')}"]`);
    const line = container?.querySelector<HTMLElement>('.field-error');
    if (!container || !line) {
      general.push(message);
      continue;
    }
    // `preferred_times.1` → "Preferred time 2: must be in the future" (the container names its items).
    const index = /\.(\d+)$/.exec(path)?.[1];
    const item = container.dataset.itemLabel;
    const text = index !== undefined && item ? `${item} ${Number(index) + 1}: ${message}` : message;
    line.textContent = line.textContent ? `${line.textContent} ${text}` : text;
    line.hidden = false;
    const control = container.querySelector<HTMLElement>('input, textarea');
    control?.setAttribute('aria-invalid', 'true');
    first ??= control ?? null;
  }
  if (!fields.size) general.push(refusal(error, fallback));
  const line = form.querySelector<HTMLElement>('.form-error');
  if (line && general.length) {
    line.textContent = general.join(' ');
    line.hidden = false;
  }
  (first ?? line)?.focus();
}
