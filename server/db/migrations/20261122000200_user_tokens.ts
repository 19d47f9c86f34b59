import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One-time links (invitation, password reset). Only a hash of the token is stored.
  await knex.schema.createTable('user_tokens', (t) => {
    t.increments('id').primary();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('purpose', 16).notNullable(); // invite | reset
    t.string('token_hash', 64).notNullable().unique();
    t.string('expires_at', 30).notNullable();
    t.string('used_at', 30).nullable();
    t.string('created_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('user_tokens');
}
