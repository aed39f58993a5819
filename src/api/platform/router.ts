/**
 * /api/admin/api-keys/* (admins manage the keys of host platforms) and /api/platform/users/*
 * (a host platform's server provisions its users and mints their user tokens). Which credential
 * may call what is declared per operation in openapi.yaml and checked by the router; the handlers
 * add the admin check for user callers.
 */
import type { ApiRoutes } from '../route.ts';
import { forbidden, notFound } from '../../errors.ts';
import { paginate } from '../../lib/pagination.ts';
import { parseTime } from '../../lib/time.ts';
import { requireAdminOrKey, requireRole } from '../../middleware/authenticate.ts';
import { ApiKey, User } from '../../models/index.ts';
import { presentApiKey, presentCreatedApiKey, presentPlatformUser } from '../../presenters/platform.ts';
import { apiKeysQuery, createApiKey, revokeApiKey } from '../../services/apiKeys.ts';
import { deactivatePlatformUser, findPlatformUser, mintUserToken, upsertPlatformUser } from '../../services/platformUsers.ts';
import type { AppContext } from '../../types.ts';

/**
 * The user on whose authority a change is made: the admin calling, or for an API key the admin
 * who created it (services record and notify in a person's name).
 */
async function actingAdmin(ctx: AppContext): Promise<User> {
  const admin = requireAdminOrKey(ctx);
  if (admin) return admin;
  const principal = ctx.state.principal;
  const creator = principal?.kind === 'api_key' && principal.key.created_by ? await User.query(ctx.deps.db).findById(principal.key.created_by) : undefined;
  if (!creator) throw forbidden('The admin who created this API key no longer exists; create a new key.', 'api_key_owner_unavailable');
  return creator;
}

export function registerPlatformRoutes(routes: ApiRoutes): void {
  routes
    .on('adminListApiKeys', async (ctx, { query }) => {
      requireAdminOrKey(ctx);
      ctx.body = await paginate(ctx, apiKeysQuery(ctx.deps.dbRead), query, (rows) => rows.map(presentApiKey));
    })
    .on('adminCreateApiKey', async (ctx, { body }) => {
      const admin = requireRole(ctx, 'admin');
      const expiresAt = body.expires_at ? parseTime(body.expires_at, 'expires_at') : null;
      const { apiKey, key } = await createApiKey(ctx.deps.db, admin, { name: body.name, scopes: body.scopes, expiresAt });
      ctx.deps.logger.info({ apiKey: apiKey.id, prefix: apiKey.prefix, scopes: apiKey.scopes, admin: admin.id }, 'api key created');
      ctx.status = 201;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = presentCreatedApiKey(apiKey, key);
    })
    .on('adminRevokeApiKey', async (ctx, { path }) => {
      const admin = requireRole(ctx, 'admin');
      const apiKey = await ApiKey.query(ctx.deps.db).findById(path.id);
      if (!apiKey) throw notFound('API key');
      await revokeApiKey(ctx.deps.db, apiKey);
      ctx.deps.logger.info({ apiKey: apiKey.id, prefix: apiKey.prefix, admin: admin.id }, 'api key revoked');
      ctx.status = 204;
    })
    .on('upsertPlatformUser', async (ctx, { path, body }) => {
      const actor = await actingAdmin(ctx);
      const { user, created } = await upsertPlatformUser(ctx.deps, actor, path.external_id, body);
      ctx.status = created ? 201 : 200;
      ctx.body = presentPlatformUser(user);
    })
    .on('getPlatformUser', async (ctx, { path }) => {
      requireAdminOrKey(ctx);
      const user = await findPlatformUser(ctx.deps.dbRead, path.external_id);
      if (!user) throw notFound('User');
      ctx.body = presentPlatformUser(user);
    })
    .on('deactivatePlatformUser', async (ctx, { path }) => {
      const actor = await actingAdmin(ctx);
      if (!(await deactivatePlatformUser(ctx.deps, actor, path.external_id))) throw notFound('User');
      ctx.status = 204;
    })
    .on('createPlatformUserToken', async (ctx, { path, body }) => {
      requireAdminOrKey(ctx);
      ctx.status = 201;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await mintUserToken(ctx.deps.db, ctx.deps.tokens, path.external_id, body);
    });
}
