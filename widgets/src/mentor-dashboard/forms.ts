/**
 * Form building blocks: a labelled control with its error line, and the mapping of the API's
 * field errors (`errors: [{ in: 'body', path: 'title', message }]`) onto those lines. Fields stack
 * on narrow widgets and sit two per row from 40rem (container query).
 */
import { ApiProblem } from '../shared/api.ts';
import { h, uid, type Props } from '../shared/dom.ts';
import { clearErrors } from '../shared/ui.ts';

export { clearErrors };

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export interface FieldOptions {
  /** The body property the API names in its errors. */
  name: string;
  label: string;
  control: Control;
  hint?: string;
  /** Span both columns of the form grid. */
  wide?: boolean;
}

/** `<div data-field>` with label, control, hint and an (initially hidden) error line. */
export function field({ name, label, control, hint, wide }: FieldOptions): HTMLDivElement {
  const id = control.id || uid(`md-${name}`);
  control.id = id;
  control.name = name;
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  control.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
  return h(
    'div',
    { class: `flex flex-col gap-1 min-w-0 ${wide ? '@min-[40rem]:col-span-2' : ''}`, 'data-field': name },
    h('label', { for: id, class: 'text-sm font-medium' }, label),
    control,
    hint && h('p', { id: hintId, class: 'text-xs text-ink-muted' }, hint),
    h('p', { id: errorId, class: 'field-error text-sm text-danger', hidden: true }),
  );
}

export const input = (props: Props) => h('input', { class: 'field-input', ...props });
export const textarea = (props: Props, value = '') => h('textarea', { class: 'field-input min-h-20', ...props }, value);
export function select(props: Props, options: Array<[value: string, label: string]>): HTMLSelectElement {
  return h('select', { class: 'field-input', ...props }, options.map(([value, label]) => h('option', { value }, label)));
}

/** The form grid: one column, two from 40rem of widget width. `props.class` adds classes. */
export function formGrid(props: Props, ...children: Array<HTMLElement | false | null>): HTMLFormElement {
  return h('form', { ...props, class: `grid grid-cols-1 gap-4 @min-[40rem]:grid-cols-2 ${String(props.class ?? '')}` }, children);
}

/**
 * Shows a failed submission: each field error beside its field (the first invalid control gets
 * focus), anything else in the form's `.form-error` line: the API's `detail` when it sent one,
 * `fallbackMessage` otherwise.
 */
export function showErrors(form: HTMLElement, error: unknown, fallbackMessage: string): void {
  clearErrors(form);
  const general: string[] = [];
  let first: Control | null = null;
  const fields = error instanceof ApiProblem ? error.fieldErrors() : new Map<string, string>();
  for (const [path, message] of fields) {
    const name = path.split('.')[0] ?? '';
    const container = form.querySelector<HTMLElement>(`[data-field="${CSS.escape(name)}"]`);
    const line = container?.querySelector<HTMLElement>('.field-error');
    const control = container?.querySelector<Control>('input, select, textarea');
    if (!line || !control) {
      general.push(`${path}: ${message}`);
      continue;
    }
    line.textContent = message;
    line.hidden = false;
    control.setAttribute('aria-invalid', 'true');
    first ??= control;
  }
  // The API's own explanation ("exceeds available balance: 173.00 USD") beats a generic line.
  if (!fields.size) general.push(error instanceof ApiProblem && error.problem.detail ? error.problem.detail : fallbackMessage);
  const formError = form.querySelector<HTMLElement>('.form-error');
  if (formError && general.length) {
    formError.textContent = general.join(' ');
    formError.hidden = false;
  }
  (first ?? formError)?.focus();
}

/** The form-level error line (focusable so it can be announced and scrolled to). */
export const formError = () => h('p', { class: 'form-error text-sm text-danger @min-[40rem]:col-span-2', role: 'alert', tabindex: '-1', hidden: true });
