/* eslint-disable @typescript-eslint/no-explicit-any -- knex rows are untyped until mapped here */
import type { Knex } from 'knex';
import { fromDbCount, toDbTime } from '../db/dialect';

export interface CategoryRow {
  id: number;
  slug: string;
  name: string;
  position: number;
  articles: number;
}

/** Only this repository touches categories and category_redirects (articles' category_id too, for a merge). */
export class CategoriesRepository {
  constructor(private readonly db: Knex) {}

  async list(trx: Knex = this.db): Promise<CategoryRow[]> {
    const rows = await trx('categories as c')
      .leftJoin('articles as a', 'a.category_id', 'c.id')
      .groupBy('c.id', 'c.slug', 'c.name', 'c.position')
      .orderBy([{ column: 'c.position' }, { column: 'c.name' }])
      .select('c.id', 'c.slug', 'c.name', 'c.position')
      .count({ n: 'a.id' });
    return rows.map((r: any) => ({ id: r.id, slug: r.slug, name: r.name, position: Number(r.position), articles: fromDbCount(r.n) }));
  }

  async get(id: number, trx: Knex = this.db): Promise<CategoryRow | null> {
    return (await this.list(trx)).find((c) => c.id === id) ?? null;
  }

  async bySlug(slug: string, trx: Knex = this.db): Promise<{ id: number } | null> {
    return ((await trx('categories').where({ slug }).first('id')) as { id: number } | undefined) ?? null;
  }

  async byName(name: string, trx: Knex = this.db): Promise<{ id: number } | null> {
    const rows = (await trx('categories').select('id', 'name')) as { id: number; name: string }[];
    const wanted = name.toLocaleLowerCase('fr');
    return rows.find((r) => r.name.toLocaleLowerCase('fr') === wanted) ?? null;
  }

  async insert(slug: string, name: string, trx: Knex): Promise<number> {
    const max = (await trx('categories').max({ m: 'position' }).first()) as { m?: unknown } | undefined;
    const [row] = await trx('categories')
      .insert({ slug, name, position: Number(max?.m ?? -1) + 1 })
      .returning('id');
    return typeof row === 'object' ? (row as { id: number }).id : (row as number);
  }

  async update(id: number, slug: string, name: string, trx: Knex): Promise<void> {
    await trx('categories').where({ id }).update({ slug, name });
  }

  /** Writes positions 0, 1, 2… in the given order. */
  async reorder(ids: number[], trx: Knex): Promise<void> {
    for (const [i, id] of ids.entries()) await trx('categories').where({ id }).update({ position: i });
  }

  /** The articles of `from` go to `to` (null: no category). Returns how many moved. */
  async moveArticles(from: number, to: number | null, trx: Knex): Promise<number> {
    return trx('articles').where({ category_id: from }).update({ category_id: to });
  }

  async delete(id: number, trx: Knex): Promise<void> {
    await trx('categories').where({ id }).delete();
  }

  /** `oldSlug` now leads to `to` (null: to the news list); redirects that led to `from` follow. */
  async redirect(oldSlug: string, from: number, to: number | null, now: Date, trx: Knex): Promise<void> {
    await trx('category_redirects').where({ category_id: from }).update({ category_id: to });
    await trx('category_redirects')
      .insert({ old_slug: oldSlug, category_id: to, created_at: toDbTime(now) })
      .onConflict('old_slug')
      .merge(['category_id', 'created_at']);
  }

  /** A category takes a slug: it no longer redirects anywhere. */
  async dropRedirect(slug: string, trx: Knex): Promise<void> {
    await trx('category_redirects').where({ old_slug: slug }).delete();
  }

  /** Where a former slug leads: `{ slug }` of the category it went to, `{ slug: null }` for the news list, or null. */
  async redirectTarget(oldSlug: string): Promise<{ slug: string | null } | null> {
    const row = (await this.db('category_redirects as r').leftJoin('categories as c', 'c.id', 'r.category_id').where('r.old_slug', oldSlug).first('c.slug')) as
      { slug: string | null } | undefined;
    return row ? { slug: row.slug ?? null } : null;
  }
}
