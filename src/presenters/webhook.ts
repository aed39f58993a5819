/** Webhook endpoint, delivery and feed-event presenters. The signing secret is shown only where asked for. */
import type { Schema } from '../contract/types.ts';
import { iso } from '../lib/time.ts';
import type { OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../models/index.ts';

export function presentWebhookEndpoint(e: WebhookEndpoint): Schema<'WebhookEndpoint'> {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.events as Schema<'WebhookEndpoint'>['events'],
    enabled: e.enabled,
    disabled_reason: e.disabled_reason,
    failing_since: iso(e.failing_since),
    previous_secret_expires_at: iso(e.previous_secret_expires_at),
    created_at: iso(e.created_at)!,
    updated_at: iso(e.updated_at)!,
  };
}

/** Only for the answers to creation and rotation: the one time the secret is shown. */
export function presentWebhookEndpointWithSecret(e: WebhookEndpoint): Schema<'WebhookEndpointWithSecret'> {
  return { ...presentWebhookEndpoint(e), secret: e.secret };
}

export function presentWebhookAttempt(a: WebhookAttempt): Schema<'WebhookAttempt'> {
  return {
    id: a.id,
    attempted_at: iso(a.attempted_at)!,
    status_code: a.status_code,
    duration_ms: a.duration_ms,
    response_body: a.response_body,
    error: a.error,
    succeeded: a.succeeded,
  };
}

export function presentWebhookDelivery(d: WebhookDelivery, attempts: WebhookAttempt[]): Schema<'WebhookDelivery'> {
  return {
    id: d.id,
    endpoint: d.endpoint_id,
    event: d.event_id,
    message_id: d.message_id,
    type: d.event_type,
    status: d.status,
    attempt_count: d.attempt_count,
    next_attempt_at: d.status === 'pending' ? iso(d.next_attempt_at) : null,
    created_at: iso(d.created_at)!,
    updated_at: iso(d.updated_at)!,
    attempts: attempts.map(presentWebhookAttempt),
  };
}

export function presentEvent(e: OutboxEvent): Schema<'Event'> {
  return { id: e.id, type: e.type as Schema<'EventType'>, created_at: iso(e.created_at)!, data: e.data as Schema<'Event'>['data'] };
}
