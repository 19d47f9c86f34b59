import type { Knex } from 'knex';
import { fromDbCount, fullTextMatch, type SearchTerm, type TextIndex } from '../db/dialect';
import { PublicArticlesRepository, type PublicArticle } from './public-articles.repository';

/** The articles' full-text index (migration 20261201001100_articles_search); a word in the title weighs more. */
const ARTICLES_INDEX: TextIndex = { ftsTable: 'articles_fts', weights: [10.0, 4.0, 1.0] };

/** Full-text search among the articles residents may see (PublicArticlesRepository's visibility rule). */
export class PublicArticlesSearch {
  constructor(
    private readonly db: Knex,
    private readonly site: PublicArticlesRepository,
  ) {}

  /**
   * Best match first, then newest. Every term must be found (AND), in the text or, when
   * `orCategories[i]` names some, in the name of the article's category.
   */
  async search(terms: SearchTerm[], limit: number, offset: number, orCategories: number[][] = []): Promise<{ rows: PublicArticle[]; total: number }> {
    if (!terms.length) return { rows: [], total: 0 };
    const matching = this.site.visible();
    const rank = fullTextMatch(this.db, matching, terms, ARTICLES_INDEX, orCategories);
    const [page, count] = await Promise.all([
      matching.clone().select('a.id').orderByRaw(rank).orderBy('p.sent_at', 'desc').orderBy('a.id', 'desc').limit(limit).offset(offset),
      matching.clone().count({ n: 'a.id' }).first(),
    ]);
    const ids = (page as { id: number }[]).map((r) => r.id);
    const total = fromDbCount((count as { n?: unknown } | undefined)?.n);
    if (!ids.length) return { rows: [], total };
    const { rows } = await this.site.list({ ids, limit: ids.length, offset: 0 });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return { rows: ids.map((id) => byId.get(id)).filter((r): r is PublicArticle => !!r), total };
  }
}
