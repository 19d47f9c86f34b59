import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.string('email', 254).notNullable().unique(); // stored lower-cased
    t.string('display_name', 120).notNullable();
    t.string('role', 16).notNullable(); // admin | editor | elected
    t.string('password_hash', 255).nullable(); // null until the invitation is accepted
    t.string('locale', 5).notNullable().defaultTo('fr');
    t.string('disabled_at', 30).nullable();
    t.string('last_login_at', 30).nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
}
