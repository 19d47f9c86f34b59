import type { Knex } from 'knex';

/**
 * A category's former addresses: a renamed category's old slug answers 301 to its new one, a
 * merged category's to the one it went into, a deleted one's (category_id null) to the news list.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('category_redirects', (t) => {
    t.increments('id').primary();
    t.string('old_slug', 80).notNullable().unique();
    t.integer('category_id').nullable().references('categories.id').onDelete('SET NULL').index();
    t.string('created_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('category_redirects');
}
