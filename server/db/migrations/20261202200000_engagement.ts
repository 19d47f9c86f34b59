import type { Knex } from 'knex';

/**
 * The engagement store behind the mayor's dashboard (RULES-FR: counts only, never a person).
 *
 * `engagement_events` is append-only: every figure that reaches the dashboard is one row here
 * first (a batch of site views, a delivery, a click, the growth of a post's likes since the last
 * snapshot). No foreign keys: the figures outlive a deleted article, campaign or account.
 * `day` is the Europe/Paris calendar day of `occurred_at`, computed once when the row is written,
 * so that the rollup and the dashboard never disagree about which day an event belongs to.
 *
 * `engagement_daily` holds the nightly totals; `engagement_rollup_days` lists the days whose
 * totals are complete, so that the dashboard reads those from the rollup and every other day
 * (today, or a night the job missed) from the raw events.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('engagement_events', (t) => {
    t.bigIncrements('id').primary();
    t.string('occurred_at', 30).notNullable();
    t.string('day', 10).notNullable();
    t.integer('article_id').nullable();
    t.integer('publication_id').nullable();
    t.integer('campaign_id').nullable();
    t.string('channel', 16).notNullable();
    t.string('kind', 24).notNullable();
    t.string('source', 16).notNullable().defaultTo('');
    t.integer('value').notNullable().defaultTo(1);
    t.boolean('demo').notNullable().defaultTo(false);
    t.index(['day']);
    t.index(['article_id', 'day']);
  });
  await knex.schema.createTable('engagement_daily', (t) => {
    t.string('day', 10).notNullable();
    t.integer('article_id').notNullable(); // 0: not about one article (home page, subscriptions…)
    t.string('channel', 16).notNullable();
    t.string('kind', 24).notNullable();
    t.string('source', 16).notNullable().defaultTo('');
    t.boolean('demo').notNullable().defaultTo(false);
    t.bigInteger('total').notNullable();
    t.primary(['day', 'article_id', 'channel', 'kind', 'source', 'demo']);
    t.index(['article_id', 'day']);
  });
  await knex.schema.createTable('engagement_rollup_days', (t) => {
    t.string('day', 10).primary();
    t.string('rolled_up_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('engagement_rollup_days');
  await knex.schema.dropTable('engagement_daily');
  await knex.schema.dropTable('engagement_events');
}
