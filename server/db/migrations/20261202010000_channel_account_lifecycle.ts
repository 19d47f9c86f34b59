import type { Knex } from 'knex';

/**
 * An account is connected, expired (its token's end date passed) or disconnected (the network
 * refused its token); removing it keeps its publications' history, so removal is a date, not a
 * deleted row (a deletion would cascade to what it posted).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_accounts', (t) => {
    t.string('connection', 16).notNullable().defaultTo('connected');
    t.string('expires_at', 30).nullable();
    t.string('checked_at', 30).nullable();
    t.string('removed_at', 30).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_accounts', (t) => {
    t.dropColumn('connection');
    t.dropColumn('expires_at');
    t.dropColumn('checked_at');
    t.dropColumn('removed_at');
  });
}
