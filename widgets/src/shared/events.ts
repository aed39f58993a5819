/**
 * The DOM events the widgets emit. All are prefixed `md-`, bubble and are `composed`, so a host
 * page can listen on the element or anywhere above it, across shadow roots.
 */

/** Where a notification or a button leads. `href` is app-relative (`/dashboard#requests`, `/room/12`). */
export interface NavigateDetail {
  href: string;
}

/** The API refused the credential (401): the host should sign the user in again. */
export interface UnauthorizedDetail {
  message: string;
}

/** Something failed that the widget could not handle by itself (network down, 5xx, …). */
export interface ErrorDetail {
  message: string;
  status?: number;
  code?: string;
}

export interface UnreadChangeDetail {
  count: number;
}

export interface ConnectionChangeDetail {
  /** `online`: live updates flowing; `reconnecting`: the socket dropped and is being re-opened. */
  state: 'online' | 'reconnecting';
}

export interface TabChangeDetail {
  tab: string;
  /** The place shown changed in place (a form closed): replace the history entry, don't add one. */
  replace?: boolean;
}

export interface RoomChangeDetail {
  /** What `<session-room>` shows: the lobby, the live call, or the end of the class. */
  view: 'lobby' | 'call' | 'ended';
}

export interface WidgetEventMap {
  'md-navigate': CustomEvent<NavigateDetail>;
  'md-unauthorized': CustomEvent<UnauthorizedDetail>;
  'md-error': CustomEvent<ErrorDetail>;
  'md-unread-change': CustomEvent<UnreadChangeDetail>;
  'md-connection-change': CustomEvent<ConnectionChangeDetail>;
  'md-tab-change': CustomEvent<TabChangeDetail>;
  'md-room-change': CustomEvent<RoomChangeDetail>;
}

declare global {
  interface HTMLElementEventMap extends WidgetEventMap {}
  // The events bubble and are composed: hosts may listen on the document too.
  interface DocumentEventMap extends WidgetEventMap {}
}

/**
 * Dispatches a widget event; returns false when a listener called `preventDefault()` (only
 * meaningful for cancelable events such as `md-navigate`).
 */
export function emit<K extends keyof WidgetEventMap>(
  target: EventTarget,
  type: K,
  detail: WidgetEventMap[K]['detail'],
  { cancelable = false } = {},
): boolean {
  return target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
}
