/** Inline SVG icons (decorative: hidden from assistive technology, the control carries the label). */
import { svg } from './dom.ts';

/** A 24×24 stroked icon from SVG path data (widgets build their own sets with it). */
export function icon(paths: string[], className = 'size-5'): SVGSVGElement {
  return svg(
    'svg',
    {
      class: className,
      viewBox: '0 0 24 24',
      fill: 'none',
      stroke: 'currentColor',
      'stroke-width': '2',
      'stroke-linecap': 'round',
      'stroke-linejoin': 'round',
      'aria-hidden': 'true',
      focusable: 'false',
    },
    paths.map((d) => svg('path', { d })),
  );
}

export const bellIcon = (className?: string) =>
  icon(['M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9', 'M10.3 21a1.94 1.94 0 0 0 3.4 0'], className);

export const checkIcon = (className?: string) => icon(['M20 6 9 17l-5-5'], className);

export const plusIcon = (className?: string) => icon(['M12 5v14', 'M5 12h14'], className);
