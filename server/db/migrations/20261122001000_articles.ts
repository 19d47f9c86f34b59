import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('articles', (t) => {
    t.increments('id').primary();
    t.string('slug', 160).notNullable().unique();
    t.string('title', 200).notNullable();
    t.string('summary', 400).notNullable().defaultTo('');
    t.text('body_md').notNullable().defaultTo('');
    t.text('body_html').notNullable().defaultTo(''); // sanitized rendering of body_md
    t.integer('category_id').nullable().references('categories.id').onDelete('SET NULL');
    t.integer('hero_media_id').nullable().references('media.id').onDelete('SET NULL');
    t.string('hero_alt', 500).notNullable().defaultTo('');
    t.string('event_start', 30).nullable();
    t.string('event_end', 30).nullable();
    t.string('event_place', 200).nullable();
    t.boolean('urgent').notNullable().defaultTo(false);
    t.string('status', 16).notNullable().index(); // draft | review | approved | published | archived
    t.string('publish_at', 30).nullable().index(); // when it goes (or went) out; default for every channel
    t.integer('author_id').nullable().references('users.id').onDelete('SET NULL');
    t.integer('approved_by').nullable().references('users.id').onDelete('SET NULL');
    t.string('approved_at', 30).nullable();
    t.integer('version').notNullable().defaultTo(1); // optimistic locking and history
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable().index();
  });
  await knex.schema.createTable('article_versions', (t) => {
    t.increments('id').primary();
    t.integer('article_id').notNullable().references('articles.id').onDelete('CASCADE');
    t.integer('version').notNullable();
    t.text('snapshot').notNullable(); // JSON of the editable fields
    t.integer('author_id').nullable().references('users.id').onDelete('SET NULL');
    t.string('created_at', 30).notNullable();
    t.unique(['article_id', 'version']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('article_versions');
  await knex.schema.dropTable('articles');
}
