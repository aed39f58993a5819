/** What the dashboard hands its tabs, and what a tab looks like to the dashboard. */
import type { Api, Schema } from '../shared/api.ts';
import type { Notification, NotificationFeed } from '../shared/notification-feed.ts';
import type { SessionUpdate } from '../shared/protocol.ts';
import type { RealtimeClient } from '../shared/realtime.ts';

export const TAB_IDS = ['sessions', 'requests', 'earnings', 'analytics', 'profile', 'notifications'] as const;
export type TabId = (typeof TAB_IDS)[number];

export const isTabId = (value: string): value is TabId => (TAB_IDS as readonly string[]).includes(value);

export interface DashboardContext {
  api: Api;
  /** Aborted when the dashboard disconnects (or restarts). */
  signal: AbortSignal;
  /** The caller's profile (a mentor). */
  profile: Schema<'Profile'>;
  feed: NotificationFeed;
  realtime: RealtimeClient;
  /** Resolves an API-relative URL (`/media/…`) against `api-base`. */
  resolve(path: string): string;
  /** Says something politely to screen readers (and shows it briefly). */
  announce(message: string): void;
  /** Reports a failure (`md-error`) and returns the message to show, or null when aborted. */
  fail(error: unknown): string | null;
  /** Follows an app link: `/dashboard#…` switches tabs, anything else is an `md-navigate`. */
  navigate(href: string): void;
  /**
   * Records a new place for what is already shown (`sessions` after the `sessions/new` form
   * closed) without re-rendering: an `md-tab-change` with `replace: true`.
   */
  replaceLocation(location: string): void;
  /** The metric cards may be out of date (a booking, a payout, new feedback). */
  refreshMetrics(): void;
}

export interface DashboardTab {
  readonly id: TabId;
  readonly label: string;
  /**
   * Renders into the (emptied) panel. `target` is what follows the tab in the location, e.g.
   * `12` for `sessions/12`. `signal` is aborted when another tab is shown.
   */
  show(panel: HTMLElement, target: string | undefined, signal: AbortSignal): void;
  /** A session changed on its `session_{id}` channel. */
  onSessionUpdate?(update: SessionUpdate): void;
  /** The server confirmed a subscription: changes from now on will be pushed. */
  onSubscribed?(channel: string): void;
  /** Notifications arrived (live or caught up) while the tab is shown. */
  onNotifications?(added: Notification[]): void;
}

/** A controller aborted with `parent`, or earlier by itself. */
export function childController(parent: AbortSignal): AbortController {
  const child = new AbortController();
  if (parent.aborted) child.abort();
  else parent.addEventListener('abort', () => child.abort(), { once: true, signal: child.signal });
  return child;
}
