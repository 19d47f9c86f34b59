import type { Knex } from 'knex';

/**
 * The monthly figures report e-mailed to the élus: who asked not to receive it (an opt-out per
 * person), and which month was already sent to whom, so that a job run twice, or on two
 * instances, never sends the same report twice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('stats_report_optouts', (t) => {
    t.integer('user_id').primary();
    t.string('created_at', 30).notNullable();
  });
  await knex.schema.createTable('stats_report_sends', (t) => {
    t.integer('user_id').notNullable();
    t.string('month', 7).notNullable();
    t.string('sent_at', 30).notNullable();
    t.primary(['user_id', 'month']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('stats_report_sends');
  await knex.schema.dropTable('stats_report_optouts');
}
