import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('publications', (t) => {
    t.increments('id').primary();
    t.integer('article_id').notNullable().references('articles.id').onDelete('CASCADE');
    t.integer('account_id').notNullable().references('channel_accounts.id').onDelete('CASCADE');
    t.string('channel', 16).notNullable(); // copied from the account so that lists need no join
    t.text('text_variant').nullable(); // the officer's own wording for this channel
    t.string('scheduled_at', 30).notNullable(); // when it should go out
    // planned (article not published yet) | pending | sending | sent | failed | skipped | cancelled
    // | uncertain (crash while sending) | held (too late, waits for a human) | retracted
    t.string('status', 16).notNullable();
    t.string('due_at', 30).notNullable(); // next attempt: scheduled_at, then the retry time
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error').nullable();
    t.boolean('late_confirmed').notNullable().defaultTo(false);
    t.string('external_id', 200).nullable();
    t.string('external_url', 500).nullable();
    t.string('claimed_by', 64).nullable();
    t.string('claimed_at', 30).nullable();
    t.string('sent_at', 30).nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.unique(['article_id', 'account_id']);
    t.index(['status', 'due_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('publications');
}
