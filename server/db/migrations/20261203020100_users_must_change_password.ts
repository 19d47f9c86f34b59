import type { Knex } from 'knex';

/**
 * A password Crieur printed on the console (the first administrator's, one made by the command
 * line) has been seen by whoever reads that console or its logs: the account must choose its own
 * at the first login.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.boolean('must_change_password').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('must_change_password');
  });
}
