import type { Knex } from 'knex';

/** The hashtags that end a generated post, chosen per category by the administrator. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('category_hashtags', (t) => {
    t.integer('category_id').primary().references('categories.id').onDelete('CASCADE');
    t.string('hashtags', 500).notNullable(); // "#Culture #Villeneuve", as normalised by parseHashtags
    t.string('updated_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('category_hashtags');
}
