import type { Knex } from 'knex';

/**
 * The addresses a page had before it was renamed or moved (its own and its sub-pages'), so that a
 * link already printed in the bulletin or kept by a search engine answers with a permanent
 * redirect. Pointing at the page, not at a path: a page renamed twice leads straight to its
 * current address.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('page_redirects', (t) => {
    t.increments('id').primary();
    t.string('old_path', 500).notNullable().unique();
    t.integer('page_id').notNullable().references('pages.id').onDelete('CASCADE').index();
    t.string('created_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('page_redirects');
}
