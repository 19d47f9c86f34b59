import type { Knex } from 'knex';

/** Snapshots of a post's figures on its network (likes, boosts, impressions…), with their time. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('publication_metrics', (t) => {
    t.increments('id').primary();
    t.integer('publication_id').notNullable().references('publications.id').onDelete('CASCADE');
    t.string('taken_at', 30).notNullable();
    t.text('metrics').notNullable(); // JSON: { name: number }
    t.index(['publication_id', 'taken_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('publication_metrics');
}
