import type { Knex } from 'knex';

/**
 * Private preview links of an article (its draft, or its pending change). Only the SHA-256 of
 * the token is stored: the link is shown once to the officer who made it and can be revoked.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('article_previews', (t) => {
    t.increments('id').primary();
    t.integer('article_id').notNullable().references('articles.id').onDelete('CASCADE').index();
    t.string('token_hash', 64).notNullable().unique();
    t.string('audience', 10).notNullable(); // team | anyone
    t.integer('created_by').nullable().references('users.id').onDelete('SET NULL');
    t.string('created_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
    t.string('revoked_at', 30).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('article_previews');
}
