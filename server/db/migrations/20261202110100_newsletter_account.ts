import type { Knex } from 'knex';

/** The newsletter is a channel like the site: one account, there from the start. */
export async function up(knex: Knex): Promise<void> {
  if (await knex('channel_accounts').where({ channel: 'newsletter' }).first('id')) return;
  const now = new Date().toISOString();
  await knex('channel_accounts').insert({ channel: 'newsletter', label: 'Lettre d’information', settings: '{}', created_at: now, updated_at: now });
}

export async function down(knex: Knex): Promise<void> {
  await knex('channel_accounts').where({ channel: 'newsletter' }).delete();
}
