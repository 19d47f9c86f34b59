import type { Knex } from 'knex';

/**
 * Monthly totals per article, channel and kind, kept by the rollup beside the daily ones
 * (server/engagement/engagement.repository.ts): a month's row is the sum of the daily totals of
 * its rolled-up days, rewritten in the same transaction as any of them. A year on the dashboard
 * is then about eleven months of these (a few thousand rows per month for a big commune) instead
 * of 365 days of daily totals, and the days at both ends.
 *
 * `engagement_rollup_state.generation` grows by one with every change of the totals (a rollup, the
 * demo's removal): the dashboard remembers what it computed from the totals until it moves.
 * Existing daily totals are summed into months here.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('engagement_monthly', (t) => {
    t.string('month', 7).notNullable(); // 'YYYY-MM', the Europe/Paris month of the days
    t.integer('article_id').notNullable(); // 0: not about one article, as in engagement_daily
    t.string('channel', 16).notNullable();
    t.string('kind', 24).notNullable();
    t.boolean('demo').notNullable().defaultTo(false);
    t.bigInteger('total').notNullable();
    t.primary(['month', 'article_id', 'channel', 'kind', 'demo']);
    // Every question of the dashboard answered from the index alone (the month range, then the kinds).
    t.index(['month', 'channel', 'kind', 'article_id', 'demo', 'total'], 'engagement_monthly_read');
  });
  await knex.schema.createTable('engagement_rollup_state', (t) => {
    t.integer('id').primary();
    t.bigInteger('generation').notNullable();
  });
  await knex.raw(
    `INSERT INTO engagement_monthly (month, article_id, channel, kind, demo, total)
     SELECT substr(day, 1, 7), article_id, channel, kind, demo, SUM(total)
     FROM engagement_daily GROUP BY substr(day, 1, 7), article_id, channel, kind, demo`,
  );
  await knex('engagement_rollup_state').insert({ id: 1, generation: 1 });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('engagement_rollup_state');
  await knex.schema.dropTable('engagement_monthly');
}
