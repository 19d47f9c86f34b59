import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('media', (t) => {
    t.increments('id').primary();
    t.string('original_name', 255).notNullable();
    t.string('sha256', 64).notNullable().index();
    t.integer('width').notNullable();
    t.integer('height').notNullable();
    t.integer('bytes').notNullable(); // size of the upload as received
    t.string('alt', 500).notNullable().defaultTo(''); // default alt text, suggested when reused
    t.string('credit', 200).notNullable().defaultTo('');
    t.string('status', 16).notNullable(); // processing | ready | failed
    t.integer('uploaded_by').nullable().references('users.id').onDelete('SET NULL');
    t.string('created_at', 30).notNullable().index();
  });
  await knex.schema.createTable('media_variants', (t) => {
    t.increments('id').primary();
    t.integer('media_id').notNullable().references('media.id').onDelete('CASCADE');
    t.string('kind', 16).notNullable(); // responsive | social | preview
    t.string('format', 8).notNullable(); // avif | webp | jpeg
    t.integer('width').notNullable();
    t.integer('height').notNullable();
    t.integer('bytes').notNullable();
    t.string('path', 255).notNullable(); // relative to DATA_DIR/media
    t.unique(['media_id', 'kind', 'format', 'width']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('media_variants');
  await knex.schema.dropTable('media');
}
