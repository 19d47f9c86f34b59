import type { Knex } from 'knex';

/**
 * A small JSON object per account that its adapter keeps in the database rather than in one
 * process's memory: Facebook's hourly call budget of a Page must be shared by every process that
 * calls Graph for it (the web server, the job runner, a second machine).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_accounts', (t) => {
    t.text('adapter_state').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_accounts', (t) => {
    t.dropColumn('adapter_state');
  });
}
