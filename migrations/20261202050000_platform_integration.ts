/**
 * Platform integration: API keys for host platforms' servers, and users provisioned by the host's
 * own id.
 *
 * - `api_keys`: only the SHA-256 of the secret is stored (hex), found by its non-secret `prefix`
 *   (unique); `scopes` is a JSON list; a key is usable while `revoked_at` is null and `expires_at`
 *   is null or in the future.
 * - `users.external_id`: the host platform's id, unique when set (NULLs never collide).
 * - `users.password_hash` becomes nullable: provisioned users have no password. SQLite cannot drop
 *   a NOT NULL in place and rebuilding `users` would cascade into every table that references it,
 *   so the column is replaced by a nullable copy (ADD, copy, DROP, RENAME), which both databases
 *   support.
 */
import type { Knex } from 'knex';

const isPostgres = (knex: Knex) => /^(pg|postgres)/.test(String(knex.client.config.client));

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_keys', (t) => {
    t.increments('id').primary();
    t.string('name', 100).notNullable();
    t.string('prefix', 16).notNullable();
    t.string('key_hash', 64).notNullable();
    t.text('scopes').notNullable(); // JSON list of scope names
    t.integer('created_by').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('last_used_at', { useTz: true }).nullable();
    t.timestamp('expires_at', { useTz: true }).nullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.unique(['prefix'], { indexName: 'api_keys_prefix_unique' });
  });

  await knex.schema.alterTable('users', (t) => {
    t.string('external_id', 200).nullable();
  });
  await knex.raw('CREATE UNIQUE INDEX users_external_id_unique ON users (external_id)');

  if (isPostgres(knex)) {
    await knex.raw('ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL');
  } else {
    await knex.raw('ALTER TABLE users ADD COLUMN password_hash_nullable varchar(255) NULL');
    await knex.raw('UPDATE users SET password_hash_nullable = password_hash');
    await knex.raw('ALTER TABLE users DROP COLUMN password_hash');
    await knex.raw('ALTER TABLE users RENAME COLUMN password_hash_nullable TO password_hash');
  }
}

export async function down(knex: Knex): Promise<void> {
  // Accounts without a password cannot exist in the older schema.
  await knex('users').whereNotNull('external_id').whereNull('password_hash').update({ password_hash: '' });
  if (isPostgres(knex)) {
    await knex.raw('ALTER TABLE users ALTER COLUMN password_hash SET NOT NULL');
  } else {
    await knex.raw("ALTER TABLE users ADD COLUMN password_hash_required varchar(255) NOT NULL DEFAULT ''");
    await knex.raw("UPDATE users SET password_hash_required = COALESCE(password_hash, '')");
    await knex.raw('ALTER TABLE users DROP COLUMN password_hash');
    await knex.raw('ALTER TABLE users RENAME COLUMN password_hash_required TO password_hash');
  }
  await knex.raw('DROP INDEX IF EXISTS users_external_id_unique');
  await knex.raw('ALTER TABLE users DROP COLUMN external_id');
  await knex.schema.dropTableIfExists('api_keys');
}
