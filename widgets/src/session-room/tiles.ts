/**
 * One video feed: the video, an overlay when there is no picture (connecting, camera off), and a
 * caption with the name and the mute / screen-share indicators. Elements are kept and updated in
 * place, so a feed never restarts because something else on screen changed.
 */
import { h, render, uid } from '../shared/dom.ts';
import { micOffIcon, screenIcon } from './icons.ts';
import { describeQuality, levelLabel, type Quality } from './quality.ts';

const LEVEL_STYLES = { good: 'bg-green-100 text-green-900', fair: 'bg-amber-100 text-amber-900', poor: 'bg-red-100 text-red-900' } as const;
const DOT_STYLES = { good: 'bg-green-700', fair: 'bg-amber-600', poor: 'bg-red-700' } as const;

export interface TileState {
  name: string;
  stream: MediaStream | null;
  /** Shown over the video instead of a picture (e.g. "Camera off"), or null. */
  overlay: string | null;
  muted: boolean;
  sharing: boolean;
}

export class VideoTile {
  readonly root: HTMLElement;
  readonly video: HTMLVideoElement;
  readonly #overlay: HTMLElement;
  /** Name, "Muted", "Sharing screen": redrawn by `show()` (the badge beside them is kept, with its focus). */
  readonly #labels = h('span', { class: 'contents' });
  /** A remote feed's connection badge (hidden until measured) and its figures. */
  readonly #quality: HTMLElement | null = null;
  readonly #badge = h('button', { type: 'button', part: 'quality', class: 'inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-semibold' });
  readonly #details = h('span', {
    role: 'tooltip',
    part: 'quality-details',
    class: 'absolute bottom-full right-0 z-10 mb-1 hidden w-max max-w-64 rounded-widget bg-slate-900 px-2 py-1 text-xs font-normal text-white group-hover:block group-focus-within:block',
  });

  /** `local`: our own picture (never played back: no echo), mirrored unless it is a screen. */
  constructor(readonly local: boolean) {
    this.video = h('video', { class: 'size-full object-contain', autoplay: true, playsinline: true });
    // The attribute only sets the initial state for parsed HTML; the property is what counts.
    this.video.muted = local;
    this.#overlay = h('div', { class: 'absolute inset-0 grid place-items-center p-2 text-center text-sm font-medium text-white bg-slate-900', hidden: true });
    if (!local) {
      this.#details.id = uid('md-quality');
      this.#badge.setAttribute('aria-describedby', this.#details.id);
      // Escape hides the figures until the badge is hovered or focused again.
      this.#badge.addEventListener('keydown', (event) => event.key === 'Escape' && (this.#details.hidden = true));
      for (const type of ['focus', 'mouseenter']) this.#badge.addEventListener(type, () => (this.#details.hidden = false));
      this.#quality = h('span', { class: 'group relative ms-auto', hidden: true }, this.#badge, this.#details);
    }
    this.root = h(
      'figure',
      { part: 'tile', class: 'card overflow-hidden min-w-0', 'data-local': local },
      h('div', { class: 'relative aspect-video bg-slate-900' }, this.video, this.#overlay),
      h('figcaption', { class: 'flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 text-sm' }, this.#labels, this.#quality),
    );
  }

  show(state: TileState): void {
    if (this.video.srcObject !== state.stream) {
      this.video.srcObject = state.stream;
      // Autoplay may be refused until the user interacted with the page; the next click retries.
      if (state.stream) this.video.play().catch(() => undefined);
    }
    this.video.classList.toggle('-scale-x-100', this.local && !state.sharing);
    this.#overlay.hidden = state.overlay === null;
    this.#overlay.textContent = state.overlay ?? '';
    render(
      this.#labels,
      h('span', { class: 'font-semibold truncate min-w-0' }, state.name),
      state.muted && h('span', { class: 'inline-flex items-center gap-1 text-danger', 'data-indicator': 'muted' }, micOffIcon('size-4'), 'Muted'),
      state.sharing && h('span', { class: 'inline-flex items-center gap-1 text-ink-muted', 'data-indicator': 'screen' }, screenIcon('size-4'), 'Sharing screen'),
    );
  }

  /** The connection badge of a remote feed: its level, and its figures on hover and focus; null hides it. */
  showQuality(quality: Quality | null): void {
    if (!this.#quality) return;
    this.#quality.hidden = quality === null;
    if (!quality) return;
    const { level } = quality;
    this.#badge.className = `inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-semibold ${LEVEL_STYLES[level]}`;
    this.#badge.dataset.level = level;
    render(
      this.#badge,
      h('span', { class: `size-2 rounded-full ${DOT_STYLES[level]}`, 'aria-hidden': 'true' }),
      h('span', { class: 'sr-only' }, 'Connection: '),
      levelLabel(level),
    );
    this.#details.textContent = describeQuality(quality);
    const figures = { rtt: quality.rttMs, loss: quality.lossPct, fps: quality.fps, kbps: quality.kbps };
    for (const [key, value] of Object.entries(figures)) {
      if (value === null) delete this.#details.dataset[key];
      else this.#details.dataset[key] = String(Math.round(value * 10) / 10);
    }
  }
}
