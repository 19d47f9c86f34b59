import type { Knex } from 'knex';

/**
 * The newsletter's subscribers (server/newsletter/). An address is stored lower-cased, once.
 * Removing someone (unsubscribe, erasure, purge of an unconfirmed request) deletes the row, and
 * with it the topics and the consent proofs (ON DELETE CASCADE): what remains of an unsubscribed
 * or erased person is a keyed hash in newsletter_suppressions, nothing else (RULES-FR).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('subscribers', (t) => {
    // increments: AUTOINCREMENT on SQLite, a sequence on PostgreSQL, so an id is never reused
    // and a signed link of a removed subscriber cannot come back to life for someone else.
    t.increments('id').primary();
    t.string('email', 254).notNullable().unique();
    t.string('status', 16).notNullable(); // pending | confirmed
    t.boolean('alerts_only').notNullable().defaultTo(false);
    // Per-person open/click tracking: off unless the subscriber separately asked for it (CNIL 2025).
    t.boolean('tracking').notNullable().defaultTo(false);
    t.string('source', 16).notNullable(); // form | import | desk
    t.string('created_at', 30).notNullable();
    t.string('confirmed_at', 30).nullable();
    // Confirmation, click or topic change; never an open (RULES-FR: 3 years, then ask again).
    t.string('last_activity_at', 30).nullable();
    t.string('reconsent_sent_at', 30).nullable();
    t.index(['status', 'last_activity_at'], 'subscribers_status_activity');
    t.index(['status', 'created_at'], 'subscribers_status_created');
  });
  await knex.schema.createTable('subscriber_topics', (t) => {
    t.integer('subscriber_id').notNullable().references('subscribers.id').onDelete('CASCADE');
    t.integer('category_id').notNullable().references('categories.id').onDelete('CASCADE');
    t.primary(['subscriber_id', 'category_id']);
    t.index(['category_id'], 'subscriber_topics_category');
  });
  await knex.schema.createTable('subscriber_consents', (t) => {
    t.increments('id').primary();
    t.integer('subscriber_id').notNullable().references('subscribers.id').onDelete('CASCADE');
    t.string('at', 30).notNullable();
    // subscribe | confirm | tracking-on | tracking-off | reconsent
    t.string('kind', 16).notNullable();
    t.string('source', 16).notNullable(); // form | import | desk | link (the subscriber's own page)
    t.string('wording_version', 32).nullable(); // see server/newsletter/consent.ts
    // The stated basis of an import or a desk registration, as staff wrote it.
    t.string('basis', 500).nullable();
    t.index(['subscriber_id'], 'subscriber_consents_subscriber');
  });
  await knex.schema.createTable('newsletter_suppressions', (t) => {
    t.increments('id').primary();
    // HMAC-SHA256 of the lower-cased address under a key derived from SECRET_KEY (hex).
    t.string('email_hash', 64).notNullable().unique();
    t.string('reason', 16).notNullable(); // unsubscribed | erased | bounced | complaint
    t.string('at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('newsletter_suppressions');
  await knex.schema.dropTable('subscriber_consents');
  await knex.schema.dropTable('subscriber_topics');
  await knex.schema.dropTable('subscribers');
}
