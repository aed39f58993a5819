/**
 * What the room's views share: the loaded class (`Room`), the header, the "Reconnecting…" banner,
 * buttons, our own video feed, and re-rendering a block of buttons without losing the focus.
 */
import { unwrap, type Api, type Schema } from '../shared/api.ts';
import { h, render, type Child } from '../shared/dom.ts';
import { emit } from '../shared/events.ts';
import { formatDateTime } from '../shared/format.ts';
import type { RealtimeClient } from '../shared/realtime.ts';
import type { LocalMedia } from './media.ts';
import type { VideoTile } from './tiles.ts';

export type Session = Schema<'Session'>;

/** The loaded class: who we are, the session, our booking, the socket. Lives until teardown. */
export interface Room {
  readonly signal: AbortSignal;
  readonly profile: Schema<'Profile'>;
  session: Session;
  booking: Schema<'Booking'> | null;
  readonly realtime: RealtimeClient;
  /** Display names by user id (the mentor, the mentor's learners, chat senders). */
  readonly names: Map<number, string>;
  readonly isMentor: boolean;
  /** The socket dropped and is reconnecting. */
  socketDown: boolean;
  /** A lobby or call action is running (its buttons are disabled). */
  busy: boolean;
}

/** A line under the lobby's readiness: why joining failed, or that the user left. */
export interface LobbyMessage {
  text: string;
  error: boolean;
}

/** Makes a button with a `data-action` (tests and focus restoration find buttons by it). */
export type ButtonFactory = (label: string, style: string, action: string, onclick: () => void, icon?: SVGSVGElement) => HTMLButtonElement;

/** What a lobby or call phase needs from the element. */
export interface PhaseHost {
  readonly api: Api;
  readonly headingLevel: number;
  readonly button: ButtonFactory;
  /** Whether `phase` is still the one shown. */
  current(phase: object): boolean;
  /** Runs an action, one at a time, its buttons disabled; a refusal is shown with `showError`. */
  act(action: () => Promise<void>): void;
  /** A newer copy of the session (from an action's answer). */
  applySession(session: Session): void;
  /** Something the "Reconnecting…" banner depends on changed. */
  renderBanner(): void;
  /** Reports a failure (`md-error`, or `md-unauthorized`); the sentence to show, or null. */
  reportError(error: unknown): string | null;
}

/** The signed-in user, the session, and the user's booking on it (null for the mentor or no booking). */
export async function fetchClass(api: Api, id: number): Promise<Pick<Room, 'profile' | 'session' | 'booking'>> {
  const [profile, session] = await Promise.all([unwrap(api.GET('/api/profile/')), unwrap(api.GET('/api/sessions/{id}/', { params: { path: { id } } }))]);
  const booking = session.my_booking ? await unwrap(api.GET('/api/bookings/{id}/', { params: { path: { id: session.my_booking } } })) : null;
  return { profile, session, booking };
}

export const roomChannel = (room: Room): string => `room_${room.session.id}`;

/** The box every view renders into, with `data-view` naming it. */
export function roomBase(view: 'lobby' | 'call' | 'ended', ...children: Child[]): HTMLElement {
  return h('div', { part: 'base', class: '@container flex flex-col gap-4 p-4 min-w-0', 'data-view': view }, ...children);
}

/** Title, time, mentor and a Live / Ended badge. `ended`: the end is known (the room closed). */
export function roomHeader(room: Room, level: number, ended: boolean): HTMLElement {
  const session = room.session;
  const [label, style] =
    ended || session.status === 'completed'
      ? ['Ended', 'bg-slate-100 text-slate-800']
      : session.status === 'in_progress'
        ? ['Live', 'bg-green-100 text-green-900']
        : ['Not started', 'bg-blue-100 text-blue-900'];
  return h(
    'header',
    { part: 'header', class: 'flex flex-wrap items-baseline justify-between gap-2' },
    h(
      'div',
      { class: 'min-w-0' },
      h(`h${level}` as 'h2', { class: 'text-xl font-bold break-words' }, session.title),
      h(
        'p',
        { class: 'text-sm text-ink-muted' },
        h('time', { datetime: session.start_time }, formatDateTime(session.start_time)),
        ` · ${session.duration} min · with ${room.names.get(session.mentor) ?? 'your mentor'}`,
      ),
    ),
    h('span', { class: `rounded-full px-2 py-0.5 text-xs font-semibold ${style}`, 'data-status': session.status }, label),
  );
}

export function bannerElement(): HTMLElement {
  return h('div', {
    part: 'banner',
    role: 'status',
    class: 'rounded-widget border border-amber-300 bg-amber-50 px-3 py-2 text-sm font-medium text-amber-900',
    hidden: true,
  });
}

/** Shows `text` in a banner, or hides it (null). */
export function setBanner(banner: HTMLElement, text: string | null): void {
  banner.hidden = text === null;
  banner.textContent = text ?? '';
}

/** Our own feed, in the lobby preview or the call. */
export function showLocal(tile: VideoTile, media: LocalMedia | null): void {
  const track = media?.videoTrack ?? null;
  const current = tile.video.srcObject instanceof MediaStream ? tile.video.srcObject.getVideoTracks()[0] : undefined;
  const stream = track && current === track ? (tile.video.srcObject as MediaStream) : track ? new MediaStream([track]) : null;
  let overlay: string | null = null;
  if (!media || media.starting) overlay = 'Starting camera…';
  else if (!media.hasCamera && !media.sharing) overlay = 'No camera';
  else if (!media.videoEnabled && !media.sharing) overlay = 'Camera off';
  tile.show({ name: 'You', stream, overlay, muted: media ? !media.audioEnabled || !media.hasMicrophone : false, sharing: media?.sharing ?? false });
}

/**
 * Replaces a block of buttons; the one that had the keyboard focus (by `data-action`) gets it
 * back, so pressing Mute or a lobby button does not throw the focus out of the widget.
 */
export function rerender(container: HTMLElement, ...children: Child[]): void {
  const root = container.getRootNode() as Document | ShadowRoot;
  const focused = root.activeElement;
  const action = focused && container.contains(focused) ? focused.getAttribute('data-action') : null;
  render(container, ...children);
  if (action) container.querySelector<HTMLElement>(`[data-action="${action}"]`)?.focus();
}

/**
 * The view was replaced under the keyboard focus (the button the user pressed is gone): move it
 * to the control that continues the task, instead of letting it fall back to the page.
 */
export function keepFocus(host: HTMLElement, selector: string): void {
  const root = host.shadowRoot!;
  if (root.activeElement && root.activeElement.isConnected) return;
  if (document.activeElement !== host && document.activeElement !== document.body) return;
  root.querySelector<HTMLElement>(selector)?.focus();
}

/**
 * A link out of the room (`path` on the API's origin, `href` its resolved URL). A click is offered
 * to the host first as a cancelable `md-navigate`; unless cancelled, the browser follows the link.
 */
export function navLink(host: HTMLElement, path: string, href: string, text: string): HTMLAnchorElement {
  const onclick = (event: MouseEvent) => {
    if (!emit(host, 'md-navigate', { href: path }, { cancelable: true })) event.preventDefault();
  };
  return h('a', { href, class: 'font-semibold text-accent underline', onclick }, text);
}
