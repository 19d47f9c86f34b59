import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Append-only: the application never updates or deletes a row of this table.
  await knex.schema.createTable('audit_log', (t) => {
    t.increments('id').primary();
    t.string('at', 30).notNullable().index();
    t.integer('actor_id').nullable(); // no foreign key: the trail outlives the account
    t.string('actor_label', 254).notNullable();
    t.string('action', 64).notNullable().index();
    t.string('target_type', 32).nullable();
    t.string('target_id', 64).nullable();
    t.text('details').nullable(); // JSON
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_log');
}
