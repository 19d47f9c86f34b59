import type { Knex } from 'knex';

/**
 * The commune's own pages (la mairie, horaires, démarches…), in a tree: `parent_id` names the
 * parent page, `path` is the page's full address built from its ancestors' slugs ("/mairie/horaires"),
 * kept in the row so that a visitor's address is one indexed lookup. `legal_key` marks the pages the
 * law asks for (mentions légales, données personnelles): they cannot be deleted nor taken offline.
 * The pages domain (server/pages) is the only one that touches this table.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pages', (t) => {
    t.increments('id').primary();
    t.integer('parent_id').nullable().references('pages.id').index();
    t.string('slug', 80).notNullable();
    t.string('path', 500).notNullable().unique();
    t.string('title', 200).notNullable();
    t.string('summary', 300).notNullable().defaultTo('');
    t.text('body_md').notNullable().defaultTo('');
    t.string('status', 20).notNullable().defaultTo('draft');
    t.string('legal_key', 40).nullable().unique();
    t.integer('version').notNullable().defaultTo(1);
    t.integer('updated_by').nullable().references('users.id').onDelete('SET NULL');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pages');
}
