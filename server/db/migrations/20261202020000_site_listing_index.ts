import type { Knex } from 'knex';

/**
 * Every public listing (news, a category, an article's related news, the home page) reads the
 * site's sent publications newest first. Without this index SQLite read every sent publication
 * and sorted them: the related news of an article took 2.5 ms of CPU with 1,000 articles, 0.3 ms
 * with it (bench/site.bench.ts, server/articles/public-articles.repository.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('publications', (t) => {
    t.index(['channel', 'status', 'sent_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('publications', (t) => {
    t.dropIndex(['channel', 'status', 'sent_at']);
  });
}
