/**
 * One video feed: the video, an overlay when there is no picture (connecting, camera off), and a
 * caption with the name and the mute / screen-share indicators. Elements are kept and updated in
 * place, so a feed never restarts because something else on screen changed.
 */
import { h, render } from '../shared/dom.ts';
import { micOffIcon, screenIcon } from './icons.ts';

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
  readonly #caption: HTMLElement;

  /** `local`: our own picture (never played back: no echo), mirrored unless it is a screen. */
  constructor(readonly local: boolean) {
    this.video = h('video', { class: 'size-full object-contain', autoplay: true, playsinline: true });
    // The attribute only sets the initial state for parsed HTML; the property is what counts.
    this.video.muted = local;
    this.#overlay = h('div', { class: 'absolute inset-0 grid place-items-center p-2 text-center text-sm font-medium text-white bg-slate-900', hidden: true });
    this.#caption = h('figcaption', { class: 'flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 text-sm' });
    this.root = h(
      'figure',
      { part: 'tile', class: 'card overflow-hidden min-w-0', 'data-local': local },
      h('div', { class: 'relative aspect-video bg-slate-900' }, this.video, this.#overlay),
      this.#caption,
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
      this.#caption,
      h('span', { class: 'font-semibold truncate min-w-0' }, state.name),
      state.muted && h('span', { class: 'inline-flex items-center gap-1 text-danger', 'data-indicator': 'muted' }, micOffIcon('size-4'), 'Muted'),
      state.sharing && h('span', { class: 'inline-flex items-center gap-1 text-ink-muted', 'data-indicator': 'screen' }, screenIcon('size-4'), 'Sharing screen'),
    );
  }
}
