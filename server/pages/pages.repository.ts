/* eslint-disable @typescript-eslint/no-explicit-any -- knex rows are untyped until mapped here */
import type { Knex } from 'knex';
import { fromDbCount, fromDbTime, fullTextMatchOn, LIKE_ESCAPE, likeOperator, toDbTime, type SearchTerm, type TextIndex } from '../db/dialect';
import type { Page, PageStatus } from './pages.types';

export type MenuName = 'main' | 'footer';

/** One entry of a menu: a page, or one of the site's fixed sections (menu.links.ts). */
export interface MenuRow {
  pageId: number | null;
  link: string | null;
}

function toPage(r: any): Page {
  return {
    id: r.id,
    parentId: r.parent_id ?? null,
    slug: r.slug,
    path: r.path,
    title: r.title,
    summary: r.summary ?? '',
    bodyMd: r.body_md ?? '',
    status: r.status as PageStatus,
    legalKey: r.legal_key ?? null,
    version: r.version,
    updatedBy: r.updated_by ?? null,
    createdAt: fromDbTime(r.created_at),
    updatedAt: fromDbTime(r.updated_at),
  };
}

function insertedId(row: unknown): number {
  return typeof row === 'object' && row !== null ? (row as { id: number }).id : (row as number);
}

/** The pages' full-text index (migration 20261203000400_pages_search). */
const PAGES_INDEX: TextIndex = { ftsTable: 'pages_fts', weights: [10.0, 4.0, 1.0] };

/** Only this repository touches pages, page_redirects and menu_items. */
export class PagesRepository {
  constructor(private readonly db: Knex) {}

  async all(trx: Knex = this.db): Promise<Page[]> {
    return (await trx('pages').orderBy('title').orderBy('id')).map(toPage);
  }

  async findById(id: number, trx: Knex = this.db): Promise<Page | null> {
    const r = await trx('pages').where({ id }).first();
    return r ? toPage(r) : null;
  }

  async findByPath(path: string, trx: Knex = this.db): Promise<Page | null> {
    const r = await trx('pages').where({ path }).first();
    return r ? toPage(r) : null;
  }

  async insert(
    p: { parentId: number | null; slug: string; path: string; title: string; summary: string; bodyMd: string; status: PageStatus; updatedBy: number | null },
    now: Date,
    trx: Knex,
  ): Promise<number> {
    const [row] = await trx('pages')
      .insert({
        parent_id: p.parentId,
        slug: p.slug,
        path: p.path,
        title: p.title,
        summary: p.summary,
        body_md: p.bodyMd,
        status: p.status,
        updated_by: p.updatedBy,
        version: 1,
        created_at: toDbTime(now),
        updated_at: toDbTime(now),
      })
      .returning('id');
    return insertedId(row);
  }

  /** A guarded update: changes the page only if it is still at `version`; false when it was not. */
  async update(
    id: number,
    version: number,
    p: { parentId: number | null; slug: string; path: string; title: string; summary: string; bodyMd: string; status: PageStatus; updatedBy: number | null },
    now: Date,
    trx: Knex,
  ): Promise<boolean> {
    const n = await trx('pages')
      .where({ id, version })
      .update({
        parent_id: p.parentId,
        slug: p.slug,
        path: p.path,
        title: p.title,
        summary: p.summary,
        body_md: p.bodyMd,
        status: p.status,
        updated_by: p.updatedBy,
        version: version + 1,
        updated_at: toDbTime(now),
      });
    return n === 1;
  }

  /** A page's place in the tree only (its sub-pages follow their parent's address). */
  async move(id: number, fields: { parentId?: number | null; slug?: string; path: string }, trx: Knex): Promise<void> {
    const row: Record<string, unknown> = { path: fields.path };
    if (fields.parentId !== undefined) row.parent_id = fields.parentId;
    if (fields.slug !== undefined) row.slug = fields.slug;
    await trx('pages').where({ id }).update(row);
  }

  async delete(id: number, trx: Knex): Promise<void> {
    await trx('pages').where({ id }).del();
  }

  /** `oldPath` now leads to `pageId`; an address a page holds now never redirects. */
  async recordRedirect(oldPath: string, pageId: number, now: Date, trx: Knex): Promise<void> {
    await trx('page_redirects')
      .insert({ old_path: oldPath, page_id: pageId, created_at: toDbTime(now) })
      .onConflict('old_path')
      .merge(['page_id', 'created_at']);
  }

  async forgetRedirects(paths: string[], trx: Knex): Promise<void> {
    if (paths.length) await trx('page_redirects').whereIn('old_path', paths).del();
  }

  async redirectTarget(oldPath: string): Promise<number | null> {
    const r = await this.db('page_redirects').where({ old_path: oldPath }).first('page_id');
    return r ? (r.page_id as number) : null;
  }

  async menu(menu: MenuName, trx: Knex = this.db): Promise<MenuRow[]> {
    const rows = await trx('menu_items').where({ menu }).orderBy('position').orderBy('id').select('page_id', 'link');
    return rows.map((r: any) => ({ pageId: r.page_id ?? null, link: r.link ?? null }));
  }

  async replaceMenu(menu: MenuName, entries: MenuRow[], trx: Knex): Promise<void> {
    await trx('menu_items').where({ menu }).del();
    if (entries.length) await trx('menu_items').insert(entries.map((e, i) => ({ menu, position: i, page_id: e.pageId, link: e.link })));
  }

  /**
   * Pages whose text shows an image (/media/<id>/…), the `limit` most recently changed and how
   * many in all: the media library asks before deleting one, in its own transaction.
   */
  async showingMedia(mediaId: number, limit: number, trx: Knex = this.db): Promise<{ rows: { id: number; title: string }[]; count: number }> {
    const op = likeOperator(trx) === 'ilike' ? 'ILIKE' : 'LIKE';
    const q = trx('pages').whereRaw(`body_md ${op} ? ${LIKE_ESCAPE}`, [`%/media/${mediaId}/%`]);
    const [rows, count] = await Promise.all([
      q.clone().orderBy('updated_at', 'desc').limit(limit).select('id', 'title') as Promise<{ id: number; title: string }[]>,
      q.clone().count({ n: '*' }).first(),
    ]);
    return { rows, count: fromDbCount(count?.n) };
  }

  /** The ids of the pages matching every term (title, summary, text), best match first. */
  async search(terms: SearchTerm[], ids: number[], limit: number): Promise<number[]> {
    if (!terms.length || !ids.length) return [];
    const q = this.db('pages as a').whereIn('a.id', ids);
    const rank = fullTextMatchOn(this.db, q, terms, PAGES_INDEX);
    const rows = await q.select('a.id').orderByRaw(rank).orderBy('a.title').limit(limit);
    return rows.map((r: any) => r.id as number);
  }
}
