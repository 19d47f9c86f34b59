import type { Knex } from 'knex';

// The demo's team member who "wrote" its articles and pages and uploaded its pictures (content/demo).
const DEMO_EDITOR = 'camille.roux@villeneuve-sur-lizonne.example';
const DEMO_CREDIT = 'Illustration de démonstration';
// The demo is loaded in seconds; what the same account wrote later is the commune's own work.
const LOAD_WINDOW_MS = 15 * 60_000;

/**
 * What the demo commune put in the database (its articles, pages and pictures), so that it can be
 * removed before the commune goes live without touching what the commune wrote itself. The demo
 * module (server/demo) is the only one that touches this table.
 *
 * A database where the demo was loaded before this table existed gets its list now: the rows the
 * demo's editor account made while the demo was loading (its marker's time, plus a margin).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('demo_items', (t) => {
    t.string('kind', 20).notNullable(); // article | page | media
    t.integer('item_id').notNullable();
    t.primary(['kind', 'item_id']);
  });
  const marker = (await knex('settings').where({ key: 'demo_loaded_at' }).first('value')) as { value: string } | undefined;
  const editor = (await knex('users').where({ email: DEMO_EDITOR }).first('id')) as { id: number } | undefined;
  if (!marker || !editor) return;
  const loadedAt = new Date(JSON.parse(marker.value) as string).getTime();
  const during = (at: unknown) => {
    const t = new Date(at as string).getTime();
    return t >= loadedAt - 60_000 && t <= loadedAt + LOAD_WINDOW_MS;
  };
  const pick = (rows: { id: number; created_at: unknown }[]) => rows.filter((r) => during(r.created_at)).map((r) => r.id);
  const articles = pick(await knex('articles').where({ author_id: editor.id }).select('id', 'created_at'));
  const pages = pick(await knex('pages').where({ updated_by: editor.id }).whereNull('legal_key').select('id', 'created_at'));
  const media = pick(await knex('media').where({ uploaded_by: editor.id, credit: DEMO_CREDIT }).select('id', 'created_at'));
  const rows = [
    ...articles.map((id) => ({ kind: 'article', item_id: id })),
    ...pages.map((id) => ({ kind: 'page', item_id: id })),
    ...media.map((id) => ({ kind: 'image', item_id: id })),
  ];
  for (let i = 0; i < rows.length; i += 200) await knex('demo_items').insert(rows.slice(i, i + 200));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('demo_items');
}
