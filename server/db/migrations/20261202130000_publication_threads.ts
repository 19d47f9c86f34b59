import type { Knex } from 'knex';

/**
 * A post may go out as a thread (`as_thread`), each part recorded as soon as its network accepted
 * it (`publication_parts`) so that a retry resumes at the first unsent part; `adapter_state` holds
 * the few values an adapter must keep across a crash (record keys chosen before a call,
 * idempotency keys), written before the network is called.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('publications', (t) => {
    t.boolean('as_thread').notNullable().defaultTo(false);
    t.text('adapter_state').nullable(); // JSON object
  });
  await knex.schema.createTable('publication_parts', (t) => {
    t.increments('id').primary();
    t.integer('publication_id').notNullable().references('publications.id').onDelete('CASCADE');
    t.integer('idx').notNullable();
    t.string('external_id', 500).notNullable();
    t.string('url', 2000).nullable();
    t.text('data').nullable(); // JSON object
    t.string('sent_at', 30).notNullable();
    t.unique(['publication_id', 'idx']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('publication_parts');
  await knex.schema.alterTable('publications', (t) => {
    t.dropColumn('as_thread');
    t.dropColumn('adapter_state');
  });
}
