/** Wiring of `mentorctl api-keys …` (the work is in cli/actions/apiKeys.ts). */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { API_KEY_SCOPES, examples, jsonOption, limitOption, parseId, yesOption } from '../lib/options.ts';
import type { CreateApiKeyOptions, ListApiKeysOptions, RevokeApiKeyOptions } from '../actions/apiKeys.ts';

const actions = () => import('../actions/apiKeys.ts');

/** `--expires`: an ISO 8601 date-time, a date (midnight UTC), or a lifetime such as 90d. */
export function parseExpiry(raw: string, now = new Date()): string {
  const relative = /^(\d{1,4})d$/.exec(raw);
  if (relative) {
    const days = Number(relative[1]);
    if (days < 1) throw new InvalidArgumentError('--expires must be at least 1d.');
    return new Date(now.getTime() + days * 86_400_000).toISOString();
  }
  const at = new Date(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(at.getTime())) {
    throw new InvalidArgumentError('--expires takes a date (2027-01-31), a date-time (2027-01-31T12:00:00Z) or days (90d).');
  }
  return at.toISOString();
}

export function registerApiKeysCommands(program: Command): void {
  const keys = program
    .command('api-keys')
    .description("API keys of host platforms' servers (admin API)")
    .addHelpText(
      'after',
      examples(
        ['mentorctl api-keys create --name "Acme LMS" --scope platform:users --scope platform:tokens'],
        ['mentorctl api-keys list'],
        ['mentorctl api-keys revoke 3'],
      ),
    );

  keys
    .command('create')
    .description('create a key; its secret is printed once and never again')
    .requiredOption('--name <name>', 'what the key is for (1–100 characters)')
    .addOption(
      new Option('--scope <scope...>', 'what the key may do (repeat --scope, or list several)').choices(API_KEY_SCOPES).makeOptionMandatory(),
    )
    .addOption(new Option('--expires <when>', 'stop working then: 2027-01-31, 2027-01-31T12:00:00Z or 90d').argParser((v) => parseExpiry(v)))
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(
        ['mentorctl api-keys create --name "Acme LMS" --scope platform:users --scope platform:tokens'],
        ['mentorctl api-keys create --name ci --scope admin:read --expires 30d --json', 'an ApiKeyCreated, secret included'],
      ),
    )
    .action(async (opts: CreateApiKeyOptions, cmd: Command) => (await actions()).createApiKey(opts, cmd.optsWithGlobals()));

  keys
    .command('list')
    .description('list every key, newest first (secrets are never shown again)')
    .addOption(limitOption())
    .addOption(jsonOption())
    .addHelpText('after', examples(['mentorctl api-keys list'], ['mentorctl api-keys list --json', 'an array of ApiKey']))
    .action(async (opts: ListApiKeysOptions, cmd: Command) => (await actions()).listApiKeys(opts, cmd.optsWithGlobals()));

  keys
    .command('revoke')
    .description('revoke a key: its next call is refused, on every server process')
    .argument('<id>', 'API key id', parseId)
    .addOption(yesOption())
    .addHelpText('after', examples(['mentorctl api-keys revoke 3 --yes']))
    .action(async (id: number, opts: RevokeApiKeyOptions, cmd: Command) => (await actions()).revokeApiKey(id, opts, cmd.optsWithGlobals()));
}
