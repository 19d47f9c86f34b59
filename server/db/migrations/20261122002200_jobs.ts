import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // A lease per job: whoever holds an unexpired lease runs the job; other instances skip it.
  await knex.schema.createTable('job_leases', (t) => {
    t.string('name', 64).primary();
    t.string('holder', 64).nullable();
    t.string('expires_at', 30).notNullable();
  });
  await knex.schema.createTable('job_runs', (t) => {
    t.increments('id').primary();
    t.string('name', 64).notNullable();
    t.string('instance', 64).notNullable();
    t.string('trigger', 16).notNullable(); // schedule | manual
    t.string('started_at', 30).notNullable();
    t.string('finished_at', 30).nullable();
    t.integer('duration_ms').nullable();
    t.string('outcome', 16).notNullable(); // running | ok | error
    t.text('detail').nullable(); // what the run did, or the error
    t.index(['name', 'started_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('job_runs');
  await knex.schema.dropTable('job_leases');
}
