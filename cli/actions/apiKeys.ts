/** `mentorctl api-keys …`: API keys of host platforms, through the admin API. */
import type { Schema } from '../../src/contract/types.ts';
import { collectPages, connect, expectOk } from '../lib/api.ts';
import type { GlobalOptions } from '../lib/options.ts';
import { printJson, printLine, printTable, shortTime, statusColor, success, warn } from '../lib/output.ts';
import { confirmOrAbort } from '../lib/prompts.ts';

type ApiKey = Schema<'ApiKey'>;
type Scope = Schema<'ApiKeyScope'>;

function state(key: ApiKey, now = Date.now()): string {
  if (key.revoked_at) return 'revoked';
  if (key.expires_at && Date.parse(key.expires_at) <= now) return 'expired';
  return 'active';
}

export interface CreateApiKeyOptions {
  name: string;
  scope: Scope[];
  expires?: string;
  json?: boolean;
}

/** JSON shape: `ApiKeyCreated` (with the secret `key`). */
export async function createApiKey(opts: CreateApiKeyOptions, globals: GlobalOptions): Promise<void> {
  const { client } = connect(globals.url);
  const created = await expectOk(
    client.POST('/api/admin/api-keys/', { body: { name: opts.name, scopes: [...new Set(opts.scope)], expires_at: opts.expires } }),
    { name: '--name', scopes: '--scope', expires_at: '--expires' },
  );
  warn('This is the only time the key is shown: store it now in the host server\'s secrets. It cannot be recovered, only revoked.');
  if (opts.json) {
    printJson(created);
    return;
  }
  success(`Created API key ${created.id} "${created.name}" (${created.scopes.join(', ')})${created.expires_at ? `, expires ${shortTime(created.expires_at)} UTC` : ''}.`);
  printLine(created.key);
}

export interface ListApiKeysOptions {
  limit?: number;
  json?: boolean;
}

/** JSON shape: an array of `ApiKey`, newest first. */
export async function listApiKeys(opts: ListApiKeysOptions, globals: GlobalOptions): Promise<void> {
  const { client } = connect(globals.url);
  const keys = await collectPages(
    (page, page_size) => expectOk(client.GET('/api/admin/api-keys/', { params: { query: { page, page_size } } })),
    opts.limit,
  );
  if (opts.json) printJson(keys);
  else if (keys.length === 0) printLine('No API keys yet; create one with "mentorctl api-keys create".');
  else {
    printTable(keys, [
      { header: 'ID', value: (k) => String(k.id), align: 'right' },
      { header: 'NAME', value: (k) => k.name, max: 28 },
      { header: 'PREFIX', value: (k) => k.prefix },
      { header: 'SCOPES', value: (k) => k.scopes.join(','), max: 48 },
      { header: 'STATUS', value: (k) => state(k), color: statusColor },
      { header: 'LAST USED (UTC)', value: (k) => shortTime(k.last_used_at) },
      { header: 'EXPIRES (UTC)', value: (k) => shortTime(k.expires_at) },
    ]);
  }
}

export interface RevokeApiKeyOptions {
  yes?: boolean;
}

export async function revokeApiKey(id: number, opts: RevokeApiKeyOptions, globals: GlobalOptions): Promise<void> {
  const { client } = connect(globals.url);
  await confirmOrAbort({ yes: opts.yes, message: `Revoke API key ${id}? Every call made with it is refused from now on.` });
  await expectOk(client.DELETE('/api/admin/api-keys/{id}/', { params: { path: { id } } }));
  success(`API key ${id} is revoked.`);
}
