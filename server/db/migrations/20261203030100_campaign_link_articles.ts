import type { Knex } from 'knex';

/**
 * Which article a campaign's link leads to, so that a click in a letter is counted for its
 * article on the dashboard. Null for links stored before this column, or leading elsewhere.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaign_links', (t) => {
    t.integer('article_id').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaign_links', (t) => {
    t.dropColumn('article_id');
  });
}
