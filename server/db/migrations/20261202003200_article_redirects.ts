import type { Knex } from 'knex';

/**
 * The addresses an article had before its slug changed, so that links already shared (a post, a
 * newsletter, a search engine) lead to it with a permanent redirect. Written in the same
 * transaction as the slug change (server/articles/article-redirects.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('article_redirects', (t) => {
    t.increments('id').primary();
    t.string('old_slug', 160).notNullable().unique();
    t.integer('article_id').notNullable().references('articles.id').onDelete('CASCADE').index();
    t.string('created_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('article_redirects');
}
