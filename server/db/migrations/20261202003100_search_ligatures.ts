import type { Knex } from 'knex';
import { isPostgres } from '../dialect';

/**
 * Search folds the French ligatures: "voeux" finds "vœux", "coeur" finds "Cœur", "ex aequo" finds
 * "ex æquo". Neither database does it by itself: Unicode gives œ and æ no decomposition, so
 * SQLite's remove_diacritics and our translate() table (one letter for one letter) both leave
 * them alone. The query side is fold() in server/site/search.text.ts.
 *
 * SQLite: the FTS5 table of 20261201001100_articles_search indexed the article's columns as they
 * are (external content). It becomes a contentless table fed with the folded text by the same
 * three triggers; "contentless_delete" lets a trigger remove a row by its id alone. Nothing reads
 * the text back from the index (ranking needs only its statistics).
 *
 * PostgreSQL: crieur_search_vector() folds the ligatures before its translate(); the expression
 * index over it is rebuilt, as PostgreSQL does not notice that the function changed.
 */

/** Latin letters with diacritics (U+00C0–U+017F) and their base letter: as in 20261201001100. */
function foldTable(): { from: string; to: string } {
  let from = '';
  let to = '';
  for (let cp = 0xc0; cp <= 0x17f; cp++) {
    const ch = String.fromCodePoint(cp);
    const base = ch.normalize('NFD').replace(/\p{M}/gu, '');
    if (base !== ch && /^[A-Za-z]$/.test(base)) {
      from += ch;
      to += base;
    }
  }
  return { from, to };
}

const LIGATURES: [string, string][] = [
  ['œ', 'oe'],
  ['Œ', 'oe'],
  ['æ', 'ae'],
  ['Æ', 'ae'],
];

/** `expr` with the ligatures spelled out, in SQL both databases understand. */
function unligatured(expr: string): string {
  return LIGATURES.reduce((e, [lig, letters]) => `replace(${e}, '${lig}', '${letters}')`, expr);
}

function pgFunction(foldLigatures: boolean): string {
  const { from, to } = foldTable();
  const text = (arg: string) => (foldLigatures ? unligatured(`coalesce(${arg}, '')`) : `coalesce(${arg}, '')`);
  const folded = (arg: string) => `setweight(to_tsvector('simple'::regconfig, lower(translate(${text(arg)}, '${from}', '${to}')))`;
  // Only pg_catalog functions inside: an index expression must not depend on the search_path.
  return `
    CREATE OR REPLACE FUNCTION crieur_search_vector(title text, summary text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT ${folded('$1')}, 'A') || ${folded('$2')}, 'B') || ${folded('$3')}, 'D')
    $$`;
}

const COLUMNS = 'title, summary, body_md';
const TRIGGERS = ['articles_fts_insert', 'articles_fts_delete', 'articles_fts_update'];

async function dropSqliteIndex(knex: Knex): Promise<void> {
  for (const trigger of TRIGGERS) await knex.raw(`DROP TRIGGER IF EXISTS ${trigger}`);
  await knex.raw('DROP TABLE IF EXISTS articles_fts');
}

export async function up(knex: Knex): Promise<void> {
  if (isPostgres(knex)) {
    await knex.raw(pgFunction(true));
    await knex.raw('REINDEX INDEX articles_search_idx');
    return;
  }
  // The row's id and folded text: of the trigger's new row, or (row '') of a SELECT's.
  const values = (row: 'new.' | '') => ['id', 'title', 'summary', 'body_md'].map((col) => (col === 'id' ? `${row}id` : unligatured(`${row}${col}`))).join(', ');
  await dropSqliteIndex(knex);
  await knex.raw(`CREATE VIRTUAL TABLE articles_fts USING fts5(${COLUMNS}, content='', contentless_delete=1, tokenize="unicode61 remove_diacritics 2")`);
  await knex.raw(`CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, ${COLUMNS}) VALUES (${values('new.')});
  END`);
  await knex.raw(`CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    DELETE FROM articles_fts WHERE rowid = old.id;
  END`);
  // Status changes and the like do not touch the text: no reindexing for them.
  await knex.raw(`CREATE TRIGGER articles_fts_update AFTER UPDATE OF ${COLUMNS} ON articles BEGIN
    DELETE FROM articles_fts WHERE rowid = old.id;
    INSERT INTO articles_fts(rowid, ${COLUMNS}) VALUES (${values('new.')});
  END`);
  // A contentless table has nothing to 'rebuild' from: the existing articles are indexed here.
  await knex.raw(`INSERT INTO articles_fts(rowid, ${COLUMNS}) SELECT ${values('')} FROM articles`);
}

/** Back to the index of 20261201001100_articles_search, ligatures as they are. */
export async function down(knex: Knex): Promise<void> {
  if (isPostgres(knex)) {
    await knex.raw(pgFunction(false));
    await knex.raw('REINDEX INDEX articles_search_idx');
    return;
  }
  await dropSqliteIndex(knex);
  await knex.raw(`CREATE VIRTUAL TABLE articles_fts USING fts5(${COLUMNS}, content='articles', content_rowid='id', tokenize="unicode61 remove_diacritics 2")`);
  await knex.raw(`CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, ${COLUMNS}) VALUES (new.id, new.title, new.summary, new.body_md);
  END`);
  await knex.raw(`CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, ${COLUMNS}) VALUES ('delete', old.id, old.title, old.summary, old.body_md);
  END`);
  await knex.raw(`CREATE TRIGGER articles_fts_update AFTER UPDATE OF ${COLUMNS} ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, ${COLUMNS}) VALUES ('delete', old.id, old.title, old.summary, old.body_md);
    INSERT INTO articles_fts(rowid, ${COLUMNS}) VALUES (new.id, new.title, new.summary, new.body_md);
  END`);
  await knex.raw("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')");
}
