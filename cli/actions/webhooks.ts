/** `mentorctl webhooks …` and `mentorctl events tail`, through the admin API. */
import type { Schema } from '../../src/contract/types.ts';
import { collectPages, connect, expectOk } from '../lib/api.ts';
import type { GlobalOptions } from '../lib/options.ts';
import { note, printJson, printLine, printTable, shortTime, statusColor, success } from '../lib/output.ts';

type Endpoint = Schema<'WebhookEndpoint'>;
type Delivery = Schema<'WebhookDelivery'>;

/** JSON shape: an array of `WebhookEndpoint`. */
export async function listWebhooks(opts: { limit?: number; json?: boolean }, globals: GlobalOptions): Promise<void> {
  const { client } = connect(globals.url);
  const endpoints = await collectPages(
    (page, page_size) => expectOk(client.GET('/api/webhooks/', { params: { query: { page, page_size } } })),
    opts.limit,
  );
  if (opts.json) return printJson(endpoints);
  if (endpoints.length === 0) return printLine('No webhook endpoints.');
  printTable<Endpoint>(endpoints, [
    { header: 'ID', value: (e) => String(e.id), align: 'right' },
    { header: 'URL', value: (e) => e.url, max: 50 },
    { header: 'EVENTS', value: (e) => e.events.join(','), max: 40 },
    { header: 'ENABLED', value: (e) => (e.enabled ? 'yes' : `no${e.disabled_reason ? ` (${e.disabled_reason})` : ''}`) },
    { header: 'FAILING SINCE (UTC)', value: (e) => shortTime(e.failing_since) },
  ]);
}

export interface CreateWebhookOptions {
  events: string[];
  description?: string;
  json?: boolean;
}

/** JSON shape: `WebhookEndpointWithSecret`. */
export async function createWebhook(url: string, opts: CreateWebhookOptions, globals: GlobalOptions): Promise<void> {
  const { client } = connect(globals.url);
  const endpoint = await expectOk(
    client.POST('/api/webhooks/', {
      body: { url, events: opts.events as Schema<'WebhookEndpointCreate'>['events'], ...(opts.description === undefined ? {} : { description: opts.description }) },
    }),
    { url: '<url>', events: '--events', description: '--description' },
  );
  if (opts.json) return printJson(endpoint);
  success(`Registered webhook endpoint #${endpoint.id} for ${endpoint.events.join(', ')}.`);
  printLine(`Signing secret (shown only now): ${endpoint.secret}`);
}

export interface DeliveriesOptions {
  status?: Schema<'WebhookDeliveryStatus'>;
  limit?: number;
  json?: boolean;
}

/** JSON shape: an array of `WebhookDelivery`, newest first. */
export async function listDeliveries(id: number, opts: DeliveriesOptions, globals: GlobalOptions): Promise<void> {
  const { client } = connect(globals.url);
  const deliveries = await collectPages(
    (page, page_size) =>
      expectOk(client.GET('/api/webhooks/{id}/deliveries/', { params: { path: { id }, query: { status: opts.status, page, page_size } } })),
    opts.limit,
  );
  if (opts.json) return printJson(deliveries);
  if (deliveries.length === 0) return printLine('No deliveries match.');
  printTable<Delivery>(deliveries, [
    { header: 'ID', value: (d) => String(d.id), align: 'right' },
    { header: 'TYPE', value: (d) => d.type },
    { header: 'STATUS', value: (d) => d.status, color: statusColor },
    { header: 'ATTEMPTS', value: (d) => String(d.attempt_count), align: 'right' },
    { header: 'LAST', value: (d) => lastAttempt(d), max: 40 },
    { header: 'NEXT (UTC)', value: (d) => shortTime(d.next_attempt_at) },
    { header: 'WEBHOOK-ID', value: (d) => d.message_id },
  ]);
}

function lastAttempt(d: Delivery): string {
  const a = d.attempts.at(-1);
  if (!a) return '';
  return `${shortTime(a.attempted_at)} ${a.error ?? `HTTP ${a.status_code}`} (${a.duration_ms} ms)`;
}

/** JSON shape: the queued `WebhookDelivery`. */
export async function retryDelivery(id: number, delivery: number, opts: { json?: boolean }, globals: GlobalOptions): Promise<void> {
  const { client } = connect(globals.url);
  const queued = await expectOk(client.POST('/api/webhooks/{id}/deliveries/{delivery_id}/retry/', { params: { path: { id, delivery_id: delivery } } }));
  if (opts.json) return printJson(queued);
  success(`Queued delivery #${queued.id} (${queued.type}) again with webhook-id ${queued.message_id}.`);
}

/** JSON shape: the queued `WebhookDelivery`. */
export async function testWebhook(id: number, opts: { json?: boolean }, globals: GlobalOptions): Promise<void> {
  const { client } = connect(globals.url);
  const queued = await expectOk(client.POST('/api/webhooks/{id}/test/', { params: { path: { id } } }));
  if (opts.json) return printJson(queued);
  success(`Queued a webhook.test message as delivery #${queued.id}; see "mentorctl webhooks deliveries ${id}".`);
}

export interface TailOptions {
  after?: number;
  types?: string[];
  interval: number;
  once?: boolean;
  json?: boolean;
}

const PAGE = 1000;

/** JSON shape: one `Event` per line. Follows `next` until interrupted (or, with --once, until caught up). */
export async function tailEvents(opts: TailOptions, globals: GlobalOptions): Promise<void> {
  const { client } = connect(globals.url);
  const types = opts.types?.includes('*') ? undefined : opts.types?.join(',');
  const read = (after: number) => expectOk(client.GET('/api/events/', { params: { query: { after, types, limit: PAGE } } }));
  let after = opts.after;
  if (after === undefined) {
    // Only new events: skip to the end of the feed first.
    after = 0;
    for (;;) {
      const page = await read(after);
      after = page.next;
      if (!page.has_more) break;
    }
    if (!opts.json) note(`Following events after #${after} (Ctrl-C to stop).`);
  }
  for (;;) {
    const page = await read(after);
    for (const event of page.results) {
      if (opts.json) printLine(JSON.stringify(event));
      else printLine(`#${event.id}  ${shortTime(event.created_at)}  ${event.type.padEnd(18)}  ${describe(event)}`);
    }
    after = page.next;
    if (page.has_more) continue;
    if (opts.once) return;
    await new Promise((resolve) => setTimeout(resolve, opts.interval * 1000));
  }
}

function describe(event: Schema<'Event'>): string {
  const data = event.data as Record<string, unknown>;
  const bits = [`id ${data.id}`];
  for (const key of ['status', 'title', 'username', 'session', 'amount']) if (data[key] !== undefined && data[key] !== null) bits.push(`${key} ${data[key]}`);
  return bits.join(', ');
}
