import type { Knex } from 'knex';

/**
 * The dashboard's questions of engagement_daily (totals per day, channel and kind; per article,
 * channel and kind) answered from this index alone, without reading the table's rows: a year
 * of a big commune's history is hundreds of thousands of daily rows (bench:stats).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('engagement_daily', (t) => {
    t.index(['day', 'channel', 'kind', 'article_id', 'demo', 'total'], 'engagement_daily_read');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('engagement_daily', (t) => {
    t.dropIndex(['day', 'channel', 'kind', 'article_id', 'demo', 'total'], 'engagement_daily_read');
  });
}
