import type { Knex } from 'knex';

/**
 * Audience measurement without a consent banner (RULES-FR): counts only, never a person.
 * Days are calendar days in the commune's time zone, written 'YYYY-MM-DD'.
 */
export async function up(knex: Knex): Promise<void> {
  // Page views per day, article and source; article_id 0 stands for pages that are not an
  // article (home, lists…). No foreign key: the counts outlive a deleted article.
  await knex.schema.createTable('audience_views', (t) => {
    t.string('day', 10).notNullable();
    t.integer('article_id').notNullable();
    t.string('source', 16).notNullable();
    t.integer('views').notNullable();
    t.primary(['day', 'article_id', 'source']);
    t.index(['article_id']);
  });
  // One truncated keyed hash per visitor and day, for the current day only: the purge job counts
  // them into audience_days and deletes them once the day is over.
  await knex.schema.createTable('audience_visitors', (t) => {
    t.string('day', 10).notNullable();
    t.string('hash', 22).notNullable();
    t.primary(['day', 'hash']);
  });
  await knex.schema.createTable('audience_days', (t) => {
    t.string('day', 10).primary();
    t.integer('visitors').notNullable();
  });
  // Today's random salt, shared by every instance, deleted when the day is over so that no
  // hash can be recomputed afterwards.
  await knex.schema.createTable('audience_salts', (t) => {
    t.string('day', 10).primary();
    t.string('salt', 64).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audience_salts');
  await knex.schema.dropTable('audience_days');
  await knex.schema.dropTable('audience_visitors');
  await knex.schema.dropTable('audience_views');
}
