import type { Knex } from 'knex';

/**
 * The words a person agreed to when they are not one of the site's versioned sentences: an
 * import of addresses collected on paper or by an older form states them (a consent proof names
 * a wording version, or keeps the text itself).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('subscriber_consents', (t) => {
    t.text('wording_text').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('subscriber_consents', (t) => {
    t.dropColumn('wording_text');
  });
}
