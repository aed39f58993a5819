/**
 * Webhook endpoint bodies → the domain inputs of src/services/webhooks.ts (the URL rules are the
 * service's: they depend on the server's configuration).
 */
import type { Schema } from '../../contract/types.ts';
import type { EndpointChanges, NewEndpoint } from '../../services/webhooks.ts';

export function decodeNewEndpoint(body: Schema<'WebhookEndpointCreate'>): NewEndpoint {
  return { url: body.url, events: body.events, description: body.description ?? '' };
}

/** Only the fields the body names; an absent one stays as it is. */
export function decodeEndpointChanges(body: Schema<'WebhookEndpointUpdate'>): EndpointChanges {
  const changes: EndpointChanges = {};
  if (body.url !== undefined) changes.url = body.url;
  if (body.events !== undefined) changes.events = body.events;
  if (body.description !== undefined) changes.description = body.description;
  if (body.enabled !== undefined) changes.enabled = body.enabled;
  return changes;
}
