/** What the booking widget's views share with their controller (`mentor-booking.ts`). */
import type { Api, Schema } from '../shared/api.ts';
import type { SessionUpdate } from '../shared/protocol.ts';
import type { RealtimeClient } from '../shared/realtime.ts';

export interface BookingContext {
  api: Api;
  /** Aborted when the widget disconnects (or restarts). */
  signal: AbortSignal;
  profile: Schema<'Profile'>;
  /** True for learners: only they book, cancel and request. */
  canBook: boolean;
  realtime: RealtimeClient;
  /** Level of the views' section headings (one below the widget's heading). */
  headingLevel: number;
  resolve(path: string): string;
  /** Says something politely to screen readers (and shows it briefly). */
  announce(message: string): void;
  /** Reports a failure (`md-error` when it is not the caller's fault); the message, or null when aborted. */
  fail(error: unknown): string | null;
  /** An app link (`/mentors/3`, `/room/12`): an `md-navigate`, followed unless the host prevents it. */
  navigate(href: string): void;
  /** Something the learner did changed their bookings or requests: "My bookings" reloads. */
  changed(): void;
}

/** A view reacting to pushes from `/ws`. */
export interface LiveView {
  onSessionUpdate?(update: SessionUpdate): void;
  /** A notification of one of these types arrived (`request_accepted`, `booking_cancelled`, …). */
  onNotification?(type: string): void;
  /** The socket (re)connected: read again what may have been missed. */
  onReconnected?(): void;
}
