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
