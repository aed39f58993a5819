/**
 * The client addresses each account has recently signed in from (src/services/loginThrottle.ts).
 * When guesses against a username pile up from elsewhere, logins from these addresses stay open:
 * throttling an attacker never locks the owner out of their usual place. IPv6 addresses are kept
 * as their /64 prefix. One row per (user, address); `last_success_at` is refreshed on each login.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('login_addresses', (t) => {
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('address', 64).notNullable();
    t.timestamp('last_success_at', { useTz: true }).notNullable();
    t.primary(['user_id', 'address'], 'login_addresses_pkey');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('login_addresses');
}
