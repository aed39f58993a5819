/** Wiring of `mentorctl webhooks …` and `mentorctl events tail` (the work is in cli/actions/). */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { EVENT_TYPES } from '../../src/webhooks/eventTypes.ts';
import { examples, jsonOption, limitOption, parseId, positiveInt } from '../lib/options.ts';
import type { CreateWebhookOptions, DeliveriesOptions, TailOptions } from '../actions/webhooks.ts';

const actions = () => import('../actions/webhooks.ts');
const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;

function eventList(value: string): string[] {
  const types = value.split(',').map((t) => t.trim()).filter(Boolean);
  const unknown = types.filter((t) => t !== '*' && !(EVENT_TYPES as readonly string[]).includes(t));
  if (types.length === 0 || unknown.length) {
    throw new InvalidArgumentError(`unknown event type ${unknown.join(', ') || '(none)'}; use * or some of: ${EVENT_TYPES.join(', ')}`);
  }
  return types;
}

function nonNegative(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 2147483647) throw new InvalidArgumentError('must be an event id (0 or more)');
  return Number(value);
}

export function registerWebhooksCommands(program: Command): void {
  const webhooks = program
    .command('webhooks')
    .description('webhook endpoints, their deliveries and retries (admin API)')
    .addHelpText('after', examples(['mentorctl webhooks create https://example.com/hooks --events booking.created,booking.cancelled'], ['mentorctl webhooks deliveries 3 --status failed']));

  webhooks
    .command('list')
    .description('list webhook endpoints')
    .addOption(limitOption())
    .addOption(jsonOption())
    .addHelpText('after', examples(['mentorctl webhooks list --json', 'an array of WebhookEndpoint']))
    .action(async (opts: { limit?: number; json?: boolean }, cmd: Command) => (await actions()).listWebhooks(opts, cmd.optsWithGlobals()));

  webhooks
    .command('create')
    .description('register an endpoint; prints its signing secret once')
    .argument('<url>', 'where events are POSTed (https:)')
    .addOption(new Option('--events <types>', 'comma-separated event types, or * for all').argParser(eventList).default(['*'], '*'))
    .addOption(new Option('--description <text>', 'what the endpoint is for'))
    .addOption(jsonOption())
    .addHelpText('after', examples(['mentorctl webhooks create https://example.com/hooks', 'every event type'], ['mentorctl webhooks create https://example.com/hooks --events payout.paid --json']))
    .action(async (url: string, opts: CreateWebhookOptions, cmd: Command) => (await actions()).createWebhook(url, opts, cmd.optsWithGlobals()));

  webhooks
    .command('deliveries')
    .description("an endpoint's deliveries, newest first, with their attempts")
    .argument('<id>', 'endpoint id', parseId)
    .addOption(new Option('--status <status>', 'only this state').choices(DELIVERY_STATUSES))
    .addOption(limitOption())
    .addOption(jsonOption())
    .addHelpText('after', examples(['mentorctl webhooks deliveries 3 --status failed'], ['mentorctl webhooks deliveries 3 --json', 'an array of WebhookDelivery']))
    .action(async (id: number, opts: DeliveriesOptions, cmd: Command) => (await actions()).listDeliveries(id, opts, cmd.optsWithGlobals()));

  webhooks
    .command('retry')
    .description('send a delivery again now, with the same webhook-id')
    .argument('<id>', 'endpoint id', parseId)
    .argument('<delivery>', 'delivery id', parseId)
    .addOption(jsonOption())
    .addHelpText('after', examples(['mentorctl webhooks retry 3 41']))
    .action(async (id: number, delivery: number, opts: { json?: boolean }, cmd: Command) => (await actions()).retryDelivery(id, delivery, opts, cmd.optsWithGlobals()));

  webhooks
    .command('test')
    .description('queue a webhook.test message to an endpoint')
    .argument('<id>', 'endpoint id', parseId)
    .addOption(jsonOption())
    .addHelpText('after', examples(['mentorctl webhooks test 3']))
    .action(async (id: number, opts: { json?: boolean }, cmd: Command) => (await actions()).testWebhook(id, opts, cmd.optsWithGlobals()));

  const events = program.command('events').description('the event feed (admin API)');
  events
    .command('tail')
    .description('print new events as they are recorded, until interrupted')
    .addOption(new Option('--after <id>', 'start after this event id (0: the oldest kept; default: only new events)').argParser(nonNegative))
    .addOption(new Option('--types <types>', 'comma-separated event types').argParser(eventList))
    .addOption(new Option('--interval <seconds>', 'how often to ask for new events').argParser(positiveInt('--interval', 3600)).default(2))
    .addOption(new Option('--once', 'print what is there and exit instead of following'))
    .addOption(new Option('--json', 'one Event per line (JSON Lines)'))
    .addHelpText('after', examples(['mentorctl events tail'], ['mentorctl events tail --after 0 --once --json', 'every kept event, as JSON Lines']))
    .action(async (opts: TailOptions, cmd: Command) => (await actions()).tailEvents(opts, cmd.optsWithGlobals()));
}
