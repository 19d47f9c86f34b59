import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';

/**
 * The déclaration d'accessibilité becomes a page like the other legal pages: written from
 * content/pages/accessibilite.md at /accessibilite, where the generated statement was, its
 * {{placeholders}} still filled from the accessibility settings when shown
 * (server/pages/placeholders.ts), first in the footer as the generated link was. Databases that
 * already had their legal pages get it too; a second run changes nothing.
 */
const FILE = path.join(__dirname, '..', '..', '..', 'content', 'pages', 'accessibilite.md');
const KEY = 'accessibilite';
const PATH = '/accessibilite';

export async function up(knex: Knex): Promise<void> {
  if (await knex('pages').where({ legal_key: KEY }).orWhere({ path: PATH }).first('id')) return;
  const source = fs.readFileSync(FILE, 'utf8').replace(/\r\n/g, '\n');
  const heading = /^#\s+(.+)\n/m.exec(source);
  const title = heading?.[1]?.trim() ?? 'Déclaration d’accessibilité';
  const body = (heading ? source.replace(heading[0], '') : source).trim() + '\n';
  const now = new Date().toISOString();
  const [row] = await knex('pages')
    .insert({ slug: KEY, path: PATH, title, body_md: body, status: 'published', legal_key: KEY, created_at: now, updated_at: now })
    .returning('id');
  const id = typeof row === 'object' && row !== null ? (row as { id: number }).id : (row as number);
  await knex('page_redirects').where({ old_path: PATH }).del();
  await knex('menu_items').where({ menu: 'footer' }).increment('position', 1);
  await knex('menu_items').insert({ menu: 'footer', position: 0, page_id: id, link: null });
}

export async function down(knex: Knex): Promise<void> {
  const page = await knex('pages').where({ legal_key: KEY }).first('id');
  if (!page) return;
  await knex('menu_items').where({ page_id: page.id }).del();
  await knex('page_redirects').where({ page_id: page.id }).del();
  await knex('pages').where({ id: page.id }).del();
}
