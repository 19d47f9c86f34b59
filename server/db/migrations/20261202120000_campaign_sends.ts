import type { Knex } from 'knex';

/**
 * One row per campaign that started sending (server/newsletter/campaign-sender.ts). Counts and
 * the time left are read from campaign_deliveries, never stored here: they cannot drift.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('campaign_sends', (t) => {
    // The campaigns table belongs to the campaigns domain; no foreign key, so that neither
    // domain's migrations depend on the other's order.
    t.integer('campaign_id').primary();
    t.string('state', 16).notNullable(); // sending | paused | done
    t.string('started_at', 30).notNullable();
    t.string('finished_at', 30).nullable();
    // Why it paused: JSON { code, values } put into words when shown (newsletter-sending.messages.ts).
    t.text('paused_reason').nullable();
    t.integer('consecutive_errors').notNullable().defaultTo(0);
    t.string('updated_at', 30).notNullable();
    t.index(['state']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('campaign_sends');
}
