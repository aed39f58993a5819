/** Small presentational pieces shared by the dashboard's tabs. */
import { h, type Child } from '../shared/dom.ts';

export { failure, loading, loadInto, statusBadge, statusLabel } from '../shared/ui.ts';

export const empty = (text: string) => h('p', { class: 'py-8 text-center text-sm text-ink-muted' }, text);

export function sectionHeading(text: string, ...actions: Child[]): HTMLElement {
  return h(
    'div',
    { class: 'flex flex-wrap items-center justify-between gap-3 mb-4' },
    h('h2', { class: 'text-lg font-semibold' }, text),
    actions.length ? h('div', { class: 'flex flex-wrap items-center gap-2' }, actions) : null,
  );
}
