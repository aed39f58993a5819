/**
 * Domain events (published after COMMIT, src/events.ts) → channel messages, rendered by the REST
 * presenters so a pushed notification or session has exactly the shape REST answers with. Each
 * event is rendered once, by the process where it happened, and reaches the other processes
 * already serialised.
 *
 *   notification.created  → notifications_{user}: `notification` (+ unread count)
 *   notifications.read    → notifications_{user}: `unread_count`
 *   booking.created       → session_{id}: `participant_count`
 *   booking.cancelled     → session_{id}: `participant_count`; the learner leaves room_{id} and,
 *                           if they may no longer read the session, session_{id}
 *   session.changed       → session_{id}: `session_update`, then subscribers who may no longer
 *                           read it are unsubscribed; completed or cancelled empties room_{id}
 *   chat.message          → room_{id}: `chat`
 *   user.deactivated      → every socket of the user closes with 4003
 */
import type { Knex } from 'knex';
import type { DomainEvent, EventOf } from '../events.ts';
import { User, type Notification } from '../models/index.ts';
import { presentChatMessage } from '../presenters/chat.ts';
import { presentNotification } from '../presenters/notification.ts';
import { presentSession } from '../presenters/session.ts';
import { unreadCounts } from '../services/notifications.ts';
import type { RoomWindowSettings } from '../views/roomWindow.ts';
import { loadSessionViews } from '../views/sessions.ts';
import type { Envelope } from './backend.ts';
import { notificationsChannel, roomChannel, sessionChannel } from './channels.ts';
import { CloseCode, type ServerMessage } from './protocol.ts';

export interface PushContext {
  db: Knex;
  /** The room window shown in session payloads. */
  window: RoomWindowSettings;
  dispatch(channel: string, envelope: Envelope): void;
  /** False when nobody, on any process, can be listening (the rendering is skipped). */
  audience(channel: string): boolean;
  /** `READY_LEAD_MINUTES`, for the sessions pushed. */
  readyLeadMinutes: number;
}

const push = (message: ServerMessage): Envelope => ({ kind: 'push', data: JSON.stringify(message) });

/**
 * Unread counts are needed by every notification push. The events of one commit arrive together
 * (a broadcast makes thousands), so they are collected until the current job ends and counted in
 * one grouped query; each push then carries its user's count after the whole commit.
 */
class UnreadCountPushes {
  #batch: Array<{ userId: number; notification?: Notification }> | undefined;

  constructor(private readonly ctx: PushContext) {}

  /** Returns the batch's work when this call started it (so a failure is reported once). */
  add(userId: number, notification?: Notification): Promise<void> | undefined {
    if (!this.ctx.audience(notificationsChannel(userId))) return undefined;
    const started = this.#batch === undefined;
    (this.#batch ??= []).push({ userId, notification });
    return started ? Promise.resolve().then(() => this.#flush()) : undefined;
  }

  async #flush(): Promise<void> {
    const batch = this.#batch ?? [];
    this.#batch = undefined;
    const counts = await unreadCounts(this.ctx.db, batch.map((item) => item.userId));
    for (const { userId, notification } of batch) {
      const channel = notificationsChannel(userId);
      const unread = counts.get(userId) ?? 0;
      this.ctx.dispatch(
        channel,
        push(
          notification
            ? { type: 'notification', channel, notification: presentNotification(notification), unread_count: unread }
            : { type: 'unread_count', channel, unread_count: unread },
        ),
      );
    }
  }
}

function participantCount(ctx: PushContext, event: EventOf<'booking.created' | 'booking.cancelled'>): void {
  const { session } = event;
  if (event.type === 'booking.cancelled') {
    ctx.dispatch(roomChannel(session.id), { kind: 'evict', user: event.booking.learner_id, reason: 'booking_cancelled' });
  }
  const channel = sessionChannel(session.id);
  if (!ctx.audience(channel)) return;
  ctx.dispatch(
    channel,
    push({
      type: 'participant_count',
      channel,
      session: session.id,
      change: event.type === 'booking.created' ? 'booked' : 'cancelled',
      participant_count: session.booked_count,
      spots_left: Math.max(0, session.capacity - session.booked_count),
    }),
  );
  if (event.type === 'booking.cancelled') {
    ctx.dispatch(channel, { kind: 'recheck', user: event.booking.learner_id, reason: 'booking_cancelled' });
  }
}

async function sessionChanged(ctx: PushContext, { session, change }: EventOf<'session.changed'>): Promise<void> {
  if (session.status === 'completed' || session.status === 'cancelled') {
    ctx.dispatch(roomChannel(session.id), { kind: 'evict', reason: 'session_ended' });
  }
  const channel = sessionChannel(session.id);
  if (!ctx.audience(channel)) return;
  const [view] = await loadSessionViews(ctx.db, ctx.window, [session]);
  ctx.dispatch(channel, push({ type: 'session_update', channel, change, session: presentSession(view!) }));
  // After the update (subscribers learn of the change), those who may no longer read it leave.
  ctx.dispatch(channel, { kind: 'recheck', reason: 'access_revoked' });
}

async function chatMessage(ctx: PushContext, { message }: EventOf<'chat.message'>): Promise<void> {
  const channel = roomChannel(message.session_id);
  if (!ctx.audience(channel)) return;
  // The chat service attaches the sender, so the broadcast normally leaves before its sender's ack.
  const sender = message.sender ?? (await User.query(ctx.db).findById(message.sender_id));
  if (!sender) return;
  ctx.dispatch(channel, push({ type: 'chat', channel, message: presentChatMessage(message, sender) }));
}

/** The event handler: returns the work it started (the hub waits for it on shutdown). */
export function createPushes(ctx: PushContext): (event: DomainEvent) => Promise<void> | undefined {
  const unread = new UnreadCountPushes(ctx);
  return (event) => {
    switch (event.type) {
      case 'notification.created':
        return unread.add(event.notification.user_id, event.notification);
      case 'notifications.read':
        return unread.add(event.userId);
      case 'booking.created':
      case 'booking.cancelled':
        participantCount(ctx, event);
        return undefined;
      case 'session.changed':
        return sessionChanged(ctx, event);
      case 'chat.message':
        return chatMessage(ctx, event);
      case 'user.deactivated':
        ctx.dispatch(notificationsChannel(event.userId), { kind: 'close', code: CloseCode.accountDisabled, reason: 'account deactivated' });
        return undefined;
      case 'payout.changed':
        // The payout's notification is what the mentor sees live.
        return undefined;
      case 'user.created':
      case 'request.changed':
      case 'feedback.created':
        // Their notifications are what the people concerned see live; webhooks carry them out.
        return undefined;
    }
  };
}
