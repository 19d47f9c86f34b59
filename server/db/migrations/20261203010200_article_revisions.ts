import type { Knex } from 'knex';

/**
 * Changes proposed to an online article while the commune requires approval: the site keeps the
 * approved text until an elected member approves (the change is then applied as a new version)
 * or refuses it with a reason. At most one pending proposal per article.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('article_revisions', (t) => {
    t.increments('id').primary();
    t.integer('article_id').notNullable().references('articles.id').onDelete('CASCADE').index();
    t.integer('base_version').notNullable();
    t.text('snapshot').notNullable();
    t.integer('author_id').nullable().references('users.id').onDelete('SET NULL');
    t.string('status', 20).notNullable(); // pending | approved | refused
    t.text('reason').nullable();
    t.integer('decided_by').nullable().references('users.id').onDelete('SET NULL');
    t.string('decided_at', 30).nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('article_revisions');
}
