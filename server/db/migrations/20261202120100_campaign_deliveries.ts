import type { Knex } from 'knex';

/**
 * The audience of a campaign, frozen when it starts: one row per (campaign, subscriber), moved
 * queued → sending → sent by guarded updates. No address is stored: it is read from the
 * subscribers at send time, so an erased person leaves only a number here.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('campaign_deliveries', (t) => {
    t.increments('id').primary();
    t.integer('campaign_id').notNullable();
    t.integer('subscriber_id').notNullable();
    // queued | sending | sent | failed | bounced | skipped | unknown (cut short by a crash)
    t.string('status', 16).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('retry_at', 30).nullable(); // a temporary error: not before this time
    t.string('claimed_by', 64).nullable();
    t.string('claimed_at', 30).nullable();
    t.string('sent_at', 30).nullable();
    t.string('error', 120).nullable(); // a code (smtp.temporary, smtp.permanent, unsubscribed…), no address
    // What the resident did with it afterwards: complaint (reported by the sending service) or
    // unsubscribed (from this message's link or the service's report); counted per campaign.
    t.string('feedback', 16).nullable();
    t.string('feedback_at', 30).nullable();
    t.unique(['campaign_id', 'subscriber_id']);
    t.index(['campaign_id', 'status']);
    t.index(['status', 'sent_at']); // the hourly cap counts what went out in the last hour
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('campaign_deliveries');
}
