import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Side effects (e-mails today, posts later) written in the same transaction as the change
  // that causes them, and delivered after the commit.
  await knex.schema.createTable('outbox', (t) => {
    t.increments('id').primary();
    t.string('kind', 32).notNullable(); // email | …
    t.text('payload').nullable(); // JSON; emptied once delivered so that links with tokens do not linger
    t.string('summary', 300).notNullable(); // what an admin sees in lists, without personal data beyond need
    t.string('status', 16).notNullable().defaultTo('pending'); // pending | sending | sent | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error').nullable();
    t.string('available_at', 30).notNullable().index();
    t.string('created_at', 30).notNullable();
    t.string('sent_at', 30).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('outbox');
}
