import type { Knex } from 'knex';

/**
 * Every difference between SQLite and PostgreSQL that the code has to know about lives here.
 * Times are stored as UTC ISO 8601 text on both databases ("2026-11-22T03:12:40.000Z"): every
 * value has the same 24-character form, so text order is time order under any collation, and the
 * same query compares times on SQLite and PostgreSQL.
 */

export function isPostgres(db: Knex): boolean {
  return db.client.config.client === 'pg';
}

/** The value to write for a point in time. */
export function toDbTime(d: Date): string {
  return d.toISOString();
}

export function toDbTimeOrNull(d: Date | null | undefined): string | null {
  return d ? d.toISOString() : null;
}

/** SQLite returns the ISO text we wrote; PostgreSQL returns a Date. */
export function fromDbTime(v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'string') return new Date(v);
  if (typeof v === 'number') return new Date(v);
  throw new TypeError(`not a time value: ${String(v)}`);
}

export function fromDbTimeOrNull(v: unknown): Date | null {
  return v === null || v === undefined ? null : fromDbTime(v);
}

/** SQLite has no boolean type and answers 0 or 1. */
export function fromDbBool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}

/** Counts come back as strings from PostgreSQL (bigint) and numbers from SQLite. */
export function fromDbCount(v: unknown): number {
  return typeof v === 'number' ? v : Number(v ?? 0);
}

/**
 * Locks the rows `q` selects until the transaction ends (PostgreSQL's FOR UPDATE): a second
 * transaction doing the same waits, then sees what the first committed. SQLite needs nothing:
 * one writer at a time already, and knex would only warn that it ignores the clause.
 */
export function lockingRows<T extends Knex.QueryBuilder>(db: Knex, q: T): T {
  return isPostgres(db) ? (q.forUpdate() as T) : q;
}

/** Case-insensitive LIKE: PostgreSQL's LIKE is case-sensitive, SQLite's is not for ASCII. */
export function likeOperator(db: Knex): 'ilike' | 'like' {
  return isPostgres(db) ? 'ilike' : 'like';
}

/** Escapes % and _ so that user input in a search box matches literally. */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The ESCAPE clause that goes with escapeLike. */
export const LIKE_ESCAPE = "ESCAPE '\\'";

/** A word of a full-text query: letters and digits only, lower-cased and without accents. */
export interface SearchTerm {
  text: string;
  prefix: boolean; // "ecol" also finds "écoles"
}

/**
 * Restricts `q` (a query over `articles as a`) to the articles matching every term, and returns
 * the expression to order by, best match first in ascending order. `index` is the articles' own
 * (server/articles/public-articles.search.ts), from migration 20261201001100_articles_search: FTS5 on SQLite, a GIN expression index on
 * PostgreSQL. Terms are bound as parameters and hold only letters and digits, so no user input
 * reaches either query syntax.
 *
 * `orCategories[i]`, when given, lists the categories whose name holds term i: an article in one
 * of them matches that term even when its text does not ("travaux" finds the articles of the
 * "Travaux" category). Each term is then matched on its own, still through the index.
 */
export function fullTextMatch(db: Knex, q: Knex.QueryBuilder, terms: SearchTerm[], index: TextIndex, orCategories: number[][] = []): Knex.Raw {
  if (orCategories.some((ids) => ids.length)) return perTermMatch(db, q, terms, orCategories, index);
  return fullTextMatchOn(db, q, terms, index);
}

/** A full-text index over a table's title, summary and body_md, queried as `a`. */
export interface TextIndex {
  /** SQLite: the FTS5 table, whose rowid is the row's id. */
  ftsTable: string;
  /** bm25 weights of title, summary and body: a word in the title weighs more. */
  weights: readonly [number, number, number];
}

const PG_VECTOR = 'crieur_search_vector(a.title, a.summary, a.body_md)';

function tsquery(terms: SearchTerm[], op: '&' | '|'): string {
  return terms.map((t) => (t.prefix ? `${t.text}:*` : t.text)).join(` ${op} `);
}

function ftsMatch(terms: SearchTerm[], op: ' ' | ' OR '): string {
  return terms.map((t) => `"${t.text}"${t.prefix ? '*' : ''}`).join(op);
}

/** fullTextMatch for any table with such an index (the pages' too, 20261203000400_pages_search). */
export function fullTextMatchOn(db: Knex, q: Knex.QueryBuilder, terms: SearchTerm[], index: TextIndex): Knex.Raw {
  if (isPostgres(db)) {
    const query = tsquery(terms, '&');
    q.whereRaw(`${PG_VECTOR} @@ to_tsquery('simple', ?)`, [query]);
    return db.raw(`-ts_rank(${PG_VECTOR}, to_tsquery('simple', ?))`, [query]);
  }
  const [w1, w2, w3] = index.weights;
  // The match runs once, in a subquery (LIMIT -1 keeps SQLite from flattening it into the join):
  // joined directly, SQLite drove the join from the visible publications and ran the full-text
  // match once per article, 20 to 70 ms for a search over 1,000 articles against 1 to 3 ms here.
  // bm25 is lower for better matches; a word in the title weighs more than one in the body.
  q.join(
    db.raw(
      `(SELECT rowid AS id, bm25(${index.ftsTable}, ${w1}, ${w2}, ${w3}) AS rank FROM ${index.ftsTable} WHERE ${index.ftsTable} MATCH ? LIMIT -1) AS fts`,
      [ftsMatch(terms, ' ')],
    ),
    'fts.id',
    'a.id',
  );
  return db.raw('fts.rank');
}

/**
 * Every term found in the text or, for those that have some, in the name of the row's category;
 * ranked by the text's match of any term, so that a hit in the text comes before a hit by
 * category alone.
 */
function perTermMatch(db: Knex, q: Knex.QueryBuilder, terms: SearchTerm[], orCategories: number[][], index: TextIndex): Knex.Raw {
  const pg = isPostgres(db);
  terms.forEach((term, i) => {
    const ids = orCategories[i] ?? [];
    q.where((w) => {
      if (pg) w.whereRaw(`${PG_VECTOR} @@ to_tsquery('simple', ?)`, [tsquery([term], '&')]);
      else w.whereRaw(`a.id IN (SELECT rowid FROM ${index.ftsTable} WHERE ${index.ftsTable} MATCH ?)`, [ftsMatch([term], ' ')]);
      if (ids.length) w.orWhereIn('a.category_id', ids);
    });
  });
  if (pg) return db.raw(`-ts_rank(${PG_VECTOR}, to_tsquery('simple', ?))`, [tsquery(terms, '|')]);
  const [w1, w2, w3] = index.weights;
  q.leftJoin(
    db.raw(
      `(SELECT rowid AS id, bm25(${index.ftsTable}, ${w1}, ${w2}, ${w3}) AS rank FROM ${index.ftsTable} WHERE ${index.ftsTable} MATCH ? LIMIT -1) AS fts`,
      [ftsMatch(terms, ' OR ')],
    ),
    'fts.id',
    'a.id',
  );
  return db.raw('coalesce(fts.rank, 0)');
}
