/**
 * A small bar chart (no chart library: a dozen bars do not need one). The bars are an SVG
 * stretched to the available width at a fixed height; the values (above) and labels (underneath)
 * are HTML, so they keep a readable size from a phone to a wide screen and need no hover. The
 * figure's accessible name lists every value, as its text alternative.
 */
import { h, svg } from '../shared/dom.ts';

export interface Bar {
  label: string;
  value: number;
  /** The value as shown to people (`$1,200.00`, `3 sessions`). */
  display: string;
  /** The value written above its bar (default: `value`), e.g. `$1,200.00`. */
  shown?: string;
}

/** Each bar gets a slot this wide (in viewBox units); the bar fills 60% of it. */
const SLOT = 10;
const HEIGHT = 100;

export function barChart(title: string, bars: Bar[]): HTMLElement {
  const max = Math.max(0, ...bars.map((b) => b.value));
  const summary = bars.map((b) => `${b.label}: ${b.display}`).join(', ');
  const width = Math.max(1, bars.length) * SLOT;
  const labels = h('div', { class: 'mt-1 grid text-center text-xs text-ink-muted', 'aria-hidden': 'true' }, bars.map((b) => h('span', { class: 'truncate' }, b.label)));
  const values = h(
    'div',
    { class: 'mb-1 grid text-center text-xs font-semibold', 'aria-hidden': 'true', 'data-chart-values': '' },
    bars.map((b) => h('span', { class: 'truncate', title: b.display }, b.shown ?? String(b.value))),
  );
  // Set through the CSSOM, which a host page's CSP allows even without 'unsafe-inline' styles.
  for (const row of [labels, values]) row.style.gridTemplateColumns = `repeat(${Math.max(1, bars.length)}, minmax(0, 1fr))`;
  return h(
    'figure',
    { class: 'card p-4 min-w-0', part: 'chart' },
    h('figcaption', { class: 'mb-2 text-sm font-semibold' }, title),
    values,
    svg(
      'svg',
      {
        viewBox: `0 0 ${width} ${HEIGHT}`,
        preserveAspectRatio: 'none',
        class: 'block h-40 w-full',
        role: 'img',
        'aria-label': `${title}. ${summary || 'No data.'}`,
      },
      bars.map((bar, i) => {
        const height = max > 0 ? Math.max(bar.value > 0 ? 1 : 0, (bar.value / max) * (HEIGHT - 4)) : 0;
        return svg(
          'rect',
          { x: i * SLOT + SLOT * 0.2, y: HEIGHT - height, width: SLOT * 0.6, height, class: 'fill-accent' },
          svg('title', null, `${bar.label}: ${bar.display}`),
        );
      }),
      svg('line', { x1: 0, x2: width, y1: HEIGHT, y2: HEIGHT, stroke: 'currentColor', 'stroke-opacity': '0.3', 'vector-effect': 'non-scaling-stroke' }),
    ),
    labels,
  );
}
