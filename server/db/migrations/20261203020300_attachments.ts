import type { Knex } from 'knex';

/**
 * Files attached to an article or a page (council minutes, arrêtés, menus). The owner is named by
 * its type and id, so that pages and articles share one table; the file lives under
 * DATA_DIR/attachments/<storage_key>, a random name that says nothing of the content.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('attachments', (t) => {
    t.increments('id').primary();
    t.string('owner_type', 16).notNullable(); // article | page
    t.integer('owner_id').notNullable();
    t.string('title', 200).notNullable();
    t.string('kind', 8).notNullable(); // pdf | odt | ods | docx | xlsx | csv, read from the content
    t.bigInteger('size_bytes').notNullable();
    t.string('storage_key', 64).notNullable().unique();
    t.string('sha256', 64).notNullable();
    t.integer('position').notNullable().defaultTo(0);
    t.string('created_at', 30).notNullable();
    t.index(['owner_type', 'owner_id', 'position']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('attachments');
}
