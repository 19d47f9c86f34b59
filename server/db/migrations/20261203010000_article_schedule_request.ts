import type { Knex } from 'knex';

/**
 * "Programmer" asked by someone who may not publish unapproved (an editor, when the commune
 * requires approval): the article waits in review with its date, and the approval schedules it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('articles', (t) => {
    t.boolean('schedule_requested').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('articles', (t) => {
    t.dropColumn('schedule_requested');
  });
}
