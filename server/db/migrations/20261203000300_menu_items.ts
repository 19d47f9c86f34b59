import type { Knex } from 'knex';

/**
 * The site's main menu and footer, in the order the officer chose: each entry is either a page
 * (`page_id`) or one of the site's fixed sections (`link`: "actualites", "agenda"…, see
 * server/pages/menu.links.ts). A deleted page leaves the menus with it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('menu_items', (t) => {
    t.increments('id').primary();
    t.string('menu', 20).notNullable();
    t.integer('position').notNullable();
    t.integer('page_id').nullable().references('pages.id').onDelete('CASCADE');
    t.string('link', 40).nullable();
    t.unique(['menu', 'page_id']);
    t.unique(['menu', 'link']);
    t.index(['menu', 'position']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('menu_items');
}
