import type { Knex } from 'knex';

/**
 * The social source subtracts what it already recorded for a post from each new snapshot of its
 * figures (server/engagement/social-source.ts): that sum is read per publication.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('engagement_events', (t) => {
    t.index(['publication_id'], 'engagement_events_publication_id_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('engagement_events', (t) => {
    t.dropIndex(['publication_id'], 'engagement_events_publication_id_index');
  });
}
