import type { Knex } from 'knex';

/**
 * A network that answered "too many requests" for one account: nothing of that account goes
 * before this time, including posts that become due after the answer (an article published
 * meanwhile, a retry asked by an officer), which would only be refused again.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_accounts', (t) => {
    t.string('rate_limited_until', 30).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_accounts', (t) => {
    t.dropColumn('rate_limited_until');
  });
}
