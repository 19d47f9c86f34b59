import type { Knex } from 'knex';

/**
 * Newsletter campaigns: a digest, an urgent alert or a letter composed by hand. `number` is the
 * public number of the web version (/lettres/<number>), given when the campaign starts sending.
 * `digest_slot` (the digest's scheduled instant) is unique so that two instances never build the
 * same week's digest twice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('campaigns', (t) => {
    t.increments('id').primary();
    t.integer('number').nullable().unique();
    t.string('kind', 10).notNullable(); // digest | alert | manual
    t.string('status', 12).notNullable().defaultTo('draft'); // draft | scheduled | started | sent | cancelled
    t.string('subject', 200).notNullable();
    t.text('intro').notNullable().defaultTo('');
    t.integer('created_by').nullable();
    t.string('digest_slot', 30).nullable().unique();
    t.integer('opens').notNullable().defaultTo(0); // anonymous pixel loads: an estimate
    t.string('created_at', 30).notNullable();
    t.string('scheduled_for', 30).nullable();
    t.string('started_at', 30).nullable();
    t.string('sent_at', 30).nullable();
    t.index(['status', 'scheduled_for']);
  });
  await knex.schema.createTable('campaign_articles', (t) => {
    t.integer('campaign_id').notNullable().references('campaigns.id').onDelete('CASCADE');
    t.integer('article_id').notNullable();
    t.integer('publication_id').nullable();
    t.integer('position').notNullable();
    t.primary(['campaign_id', 'article_id']);
    t.index(['publication_id']);
  });
  // The only addresses a campaign's click redirect goes to (no open redirect).
  await knex.schema.createTable('campaign_links', (t) => {
    t.integer('campaign_id').notNullable().references('campaigns.id').onDelete('CASCADE');
    t.integer('id').notNullable();
    t.text('url').notNullable();
    t.integer('clicks').notNullable().defaultTo(0);
    t.primary(['campaign_id', 'id']);
  });
  // Per-person opens and clicks, written only for subscribers who opted in to tracking.
  await knex.schema.createTable('campaign_tracking', (t) => {
    t.increments('id').primary();
    t.integer('campaign_id').notNullable().references('campaigns.id').onDelete('CASCADE');
    t.integer('subscriber_id').notNullable();
    t.string('kind', 8).notNullable(); // open | click
    t.integer('link_id').nullable();
    t.string('at', 30).notNullable();
    t.index(['campaign_id', 'kind']);
    t.index(['subscriber_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('campaign_tracking');
  await knex.schema.dropTable('campaign_links');
  await knex.schema.dropTable('campaign_articles');
  await knex.schema.dropTable('campaigns');
}
