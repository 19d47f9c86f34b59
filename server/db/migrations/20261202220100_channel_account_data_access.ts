import type { Knex } from 'knex';

/**
 * Facebook ends an app's access to a Page's data about 90 days after a person last authorised it
 * (`data_access_expires_at`), independently of the token's own end: kept beside `expires_at` so
 * that the networks page shows both and warns a week before either.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_accounts', (t) => {
    t.string('data_access_expires_at', 30).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_accounts', (t) => {
    t.dropColumn('data_access_expires_at');
  });
}
