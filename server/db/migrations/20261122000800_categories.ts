import type { Knex } from 'knex';

const DEFAULTS = [
  ['vie-municipale', 'Vie municipale'],
  ['travaux', 'Travaux'],
  ['culture', 'Culture'],
  ['environnement', 'Environnement'],
  ['enfance-jeunesse', 'Enfance et jeunesse'],
  ['solidarite', 'Solidarité'],
  ['sport', 'Sport'],
  ['securite', 'Sécurité et alertes'],
];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('categories', (t) => {
    t.increments('id').primary();
    t.string('slug', 80).notNullable().unique();
    t.string('name', 80).notNullable();
    t.integer('position').notNullable().defaultTo(0);
  });
  await knex('categories').insert(DEFAULTS.map(([slug, name], i) => ({ slug, name, position: i })));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('categories');
}
