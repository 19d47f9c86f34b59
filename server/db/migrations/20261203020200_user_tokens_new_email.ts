import type { Knex } from 'knex';

/**
 * A change of e-mail address waits for the link sent to the new address: the address travels
 * with its one-time token (purpose `email`) and becomes the account's only when the link is used.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('user_tokens', (t) => {
    t.string('new_email', 254).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('user_tokens', (t) => {
    t.dropColumn('new_email');
  });
}
