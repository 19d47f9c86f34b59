import type { Knex } from 'knex';
import { toDbTime } from '../db/dialect';
import { parseHashtags } from './post-text';

/** Hashtags per category (table category_hashtags), ending every generated post of the category. */
export class HashtagsRepository {
  constructor(private readonly db: Knex) {}

  async forCategory(categoryId: number | null | undefined): Promise<string[]> {
    if (!categoryId) return [];
    const r = await this.db('category_hashtags').where({ category_id: categoryId }).first('hashtags');
    return r ? parseHashtags(String(r.hashtags)) : [];
  }

  /** Every category's hashtags, by category id. */
  async all(): Promise<Map<number, string[]>> {
    const rows = (await this.db('category_hashtags').select('category_id', 'hashtags')) as { category_id: number; hashtags: string }[];
    return new Map(rows.map((r) => [Number(r.category_id), parseHashtags(r.hashtags)]));
  }

  /**
   * A category merged into another (or deleted, `to` null): its hashtags join the other's, in the
   * categories' own transaction, so that posts of the moved articles keep ending with them.
   */
  async moveCategory(from: number, to: number | null, now: Date, trx: Knex): Promise<void> {
    const source = await trx('category_hashtags').where({ category_id: from }).first('hashtags');
    await trx('category_hashtags').where({ category_id: from }).delete();
    if (!source || to === null) return;
    const target = await trx('category_hashtags').where({ category_id: to }).first('hashtags');
    const merged = [...new Set([...parseHashtags(String(target?.hashtags ?? '')), ...parseHashtags(String(source.hashtags))])];
    await trx('category_hashtags').where({ category_id: to }).delete();
    if (merged.length) await trx('category_hashtags').insert({ category_id: to, hashtags: merged.join(' '), updated_at: toDbTime(now) });
  }

  /** Replaces the hashtags of the given categories; an empty list removes the row. */
  async save(byCategory: Map<number, string[]>, now: Date, trx: Knex = this.db): Promise<void> {
    for (const [categoryId, tags] of byCategory) {
      await trx('category_hashtags').where({ category_id: categoryId }).delete();
      if (tags.length) await trx('category_hashtags').insert({ category_id: categoryId, hashtags: tags.join(' '), updated_at: toDbTime(now) });
    }
  }
}
