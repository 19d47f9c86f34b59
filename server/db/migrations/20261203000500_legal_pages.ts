import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';

/**
 * First start: the legal pages shipped in content/pages become pages like the others, which the
 * officer can then edit (their {{placeholders}} are still filled from the settings when shown,
 * server/pages/placeholders.ts), and the menus get the entries the site had before they could be
 * edited: news, agenda and search at the top; the legal pages, the site map, open data, the RSS
 * feed and the newsletter at the bottom.
 */
const PAGES_DIR = path.join(__dirname, '..', '..', '..', 'content', 'pages');
const LEGAL = ['mentions-legales', 'donnees-personnelles'];

function readPage(slug: string): { title: string; body: string } {
  const source = fs.readFileSync(path.join(PAGES_DIR, `${slug}.md`), 'utf8').replace(/\r\n/g, '\n');
  const heading = /^#\s+(.+)\n/m.exec(source);
  return { title: heading?.[1]?.trim() ?? slug, body: (heading ? source.replace(heading[0], '') : source).trim() + '\n' };
}

export async function up(knex: Knex): Promise<void> {
  const now = new Date().toISOString();
  const ids: number[] = [];
  for (const slug of LEGAL) {
    const { title, body } = readPage(slug);
    const [row] = await knex('pages')
      .insert({ slug, path: `/${slug}`, title, body_md: body, status: 'published', legal_key: slug, created_at: now, updated_at: now })
      .returning('id');
    ids.push(typeof row === 'object' && row !== null ? (row as { id: number }).id : (row as number));
  }
  const main = ['actualites', 'agenda', 'recherche'].map((link, i) => ({ menu: 'main', position: i, page_id: null, link }));
  const footer = [
    ...ids.map((id, i) => ({ menu: 'footer', position: i, page_id: id, link: null })),
    ...['plan-du-site', 'donnees-ouvertes', 'rss', 'lettre'].map((link, i) => ({ menu: 'footer', position: ids.length + i, page_id: null, link })),
  ];
  await knex('menu_items').insert([...main, ...footer]);
}

export async function down(knex: Knex): Promise<void> {
  await knex('menu_items').del();
  await knex('pages').whereIn('legal_key', LEGAL).del();
}
