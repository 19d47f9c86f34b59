import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Failed logins per account and per (hashed) IP address, to slow down password guessing.
  await knex.schema.createTable('login_throttle', (t) => {
    t.string('key', 100).primary(); // "account:<email hash>" or "ip:<ip hash>"
    t.integer('failures').notNullable().defaultTo(0);
    t.string('window_started_at', 30).notNullable();
    t.string('locked_until', 30).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('login_throttle');
}
