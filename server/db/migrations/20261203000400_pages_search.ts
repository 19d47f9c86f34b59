import type { Knex } from 'knex';
import { isPostgres } from '../dialect';

/**
 * Full-text search over the published pages (title, summary, Markdown body), folded like the
 * articles' index (20261201001100_articles_search, 20261202003100_search_ligatures): case, accents
 * and the ligatures œ and æ do not matter. The query side is fullTextMatch in server/db/dialect.ts.
 *
 * SQLite: a contentless FTS5 table fed with the folded text by triggers on `pages`.
 * PostgreSQL: a GIN expression index over crieur_search_vector(), the function the articles'
 * index already uses.
 */

const LIGATURES: [string, string][] = [
  ['œ', 'oe'],
  ['Œ', 'oe'],
  ['æ', 'ae'],
  ['Æ', 'ae'],
];

function unligatured(expr: string): string {
  return LIGATURES.reduce((e, [lig, letters]) => `replace(${e}, '${lig}', '${letters}')`, expr);
}

const COLUMNS = 'title, summary, body_md';
const TRIGGERS = ['pages_fts_insert', 'pages_fts_delete', 'pages_fts_update'];

export async function up(knex: Knex): Promise<void> {
  if (isPostgres(knex)) {
    await knex.raw('CREATE INDEX pages_search_idx ON pages USING gin (crieur_search_vector(title, summary, body_md))');
    return;
  }
  const values = (row: 'new.' | '') => ['id', 'title', 'summary', 'body_md'].map((col) => (col === 'id' ? `${row}id` : unligatured(`${row}${col}`))).join(', ');
  await knex.raw(`CREATE VIRTUAL TABLE pages_fts USING fts5(${COLUMNS}, content='', contentless_delete=1, tokenize="unicode61 remove_diacritics 2")`);
  await knex.raw(`CREATE TRIGGER pages_fts_insert AFTER INSERT ON pages BEGIN
    INSERT INTO pages_fts(rowid, ${COLUMNS}) VALUES (${values('new.')});
  END`);
  await knex.raw(`CREATE TRIGGER pages_fts_delete AFTER DELETE ON pages BEGIN
    DELETE FROM pages_fts WHERE rowid = old.id;
  END`);
  await knex.raw(`CREATE TRIGGER pages_fts_update AFTER UPDATE OF ${COLUMNS} ON pages BEGIN
    DELETE FROM pages_fts WHERE rowid = old.id;
    INSERT INTO pages_fts(rowid, ${COLUMNS}) VALUES (${values('new.')});
  END`);
  await knex.raw(`INSERT INTO pages_fts(rowid, ${COLUMNS}) SELECT ${values('')} FROM pages`);
}

export async function down(knex: Knex): Promise<void> {
  if (isPostgres(knex)) {
    await knex.raw('DROP INDEX IF EXISTS pages_search_idx');
    return;
  }
  for (const trigger of TRIGGERS) await knex.raw(`DROP TRIGGER IF EXISTS ${trigger}`);
  await knex.raw('DROP TABLE IF EXISTS pages_fts');
}
