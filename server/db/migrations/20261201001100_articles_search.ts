import type { Knex } from 'knex';
import { isPostgres } from '../dialect';

/**
 * Full-text search over articles (title, summary, Markdown body), insensitive to case and
 * accents ("ecole" finds "École", "fête" finds "fete"). The query side lives in dialect.ts
 * (fullTextMatch) and server/site/search.text.ts.
 *
 * SQLite: an FTS5 table over `articles` (external content: the text is not stored twice), kept in
 * step by triggers. Beware: a later migration that makes knex rebuild `articles` (SQLite's
 * dropColumn/alter emulation copies and drops the table) drops these triggers with it and must
 * create them again.
 *
 * PostgreSQL: an expression index over an IMMUTABLE function that folds accents with translate();
 * the `unaccent` extension would need a superuser to install, this needs nothing.
 */

/** Latin letters with diacritics (U+00C0–U+017F) and their base letter, by Unicode decomposition:
 * the same folding search.text.ts applies to the query. Both cases, so that lower() afterwards
 * only has ASCII left to do, which it does under any collation (even "C"). */
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

const SQLITE_COLUMNS = 'title, summary, body_md';

export async function up(knex: Knex): Promise<void> {
  if (isPostgres(knex)) {
    const { from, to } = foldTable();
    const folded = (arg: string) => `setweight(to_tsvector('simple'::regconfig, lower(translate(coalesce(${arg}, ''), '${from}', '${to}')))`;
    // Only pg_catalog functions inside: an index expression must not depend on the search_path.
    await knex.raw(`
      CREATE FUNCTION crieur_search_vector(title text, summary text, body text) RETURNS tsvector
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT ${folded('$1')}, 'A') || ${folded('$2')}, 'B') || ${folded('$3')}, 'D')
      $$`);
    await knex.raw('CREATE INDEX articles_search_idx ON articles USING gin (crieur_search_vector(title, summary, body_md))');
    return;
  }
  await knex.raw(
    `CREATE VIRTUAL TABLE articles_fts USING fts5(${SQLITE_COLUMNS}, content='articles', content_rowid='id', tokenize="unicode61 remove_diacritics 2")`,
  );
  await knex.raw(`CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, ${SQLITE_COLUMNS}) VALUES (new.id, new.title, new.summary, new.body_md);
  END`);
  // An external-content FTS5 table forgets a row only when told its old values.
  await knex.raw(`CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, ${SQLITE_COLUMNS}) VALUES ('delete', old.id, old.title, old.summary, old.body_md);
  END`);
  // Status changes and the like do not touch the text: no reindexing for them.
  await knex.raw(`CREATE TRIGGER articles_fts_update AFTER UPDATE OF ${SQLITE_COLUMNS} ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, ${SQLITE_COLUMNS}) VALUES ('delete', old.id, old.title, old.summary, old.body_md);
    INSERT INTO articles_fts(rowid, ${SQLITE_COLUMNS}) VALUES (new.id, new.title, new.summary, new.body_md);
  END`);
  await knex.raw("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')");
}

export async function down(knex: Knex): Promise<void> {
  if (isPostgres(knex)) {
    await knex.raw('DROP INDEX IF EXISTS articles_search_idx');
    await knex.raw('DROP FUNCTION IF EXISTS crieur_search_vector(text, text, text)');
    return;
  }
  for (const trigger of ['articles_fts_insert', 'articles_fts_delete', 'articles_fts_update']) await knex.raw(`DROP TRIGGER IF EXISTS ${trigger}`);
  await knex.raw('DROP TABLE IF EXISTS articles_fts');
}
