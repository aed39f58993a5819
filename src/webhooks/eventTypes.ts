/**
 * The event types a third party can pull from `GET /api/events/` or receive on a webhook endpoint
 * (the `webhooks:` section of openapi.yaml describes each payload). No server code here, so the CLI
 * may import it.
 */
export const EVENT_TYPES = [
  'session.published',
  'session.updated',
  'session.cancelled',
  'session.started',
  'session.completed',
  'booking.created',
  'booking.cancelled',
  'request.created',
  'request.accepted',
  'request.declined',
  'request.cancelled',
  'feedback.created',
  'payout.requested',
  'payout.approved',
  'payout.rejected',
  'payout.paid',
  'user.created',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Sent only by `POST /api/webhooks/{id}/test/`, never recorded in the feed. */
export const TEST_EVENT_TYPE = 'webhook.test';
