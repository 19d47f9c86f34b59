import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One row per place Crieur publishes to: the site, the newsletter, each social account.
  await knex.schema.createTable('channel_accounts', (t) => {
    t.increments('id').primary();
    t.string('channel', 16).notNullable(); // site | newsletter | facebook | mastodon | bluesky | x | test
    t.string('label', 120).notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.text('settings').notNullable().defaultTo('{}'); // JSON, non-secret
    t.text('credentials').nullable(); // encrypted with SECRET_KEY (server/crypto/secrets.ts)
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });
  const now = new Date().toISOString();
  await knex('channel_accounts').insert({ channel: 'site', label: 'Site de la commune', settings: '{}', created_at: now, updated_at: now });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('channel_accounts');
}
