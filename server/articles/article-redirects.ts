import type { Knex } from 'knex';
import type { ArticleEvent } from './articles.types';
import type { Clock } from '../clock';
import { toDbTime } from '../db/dialect';
import type { PublicArticlesRepository } from './public-articles.repository';

/**
 * An article's former slugs (table article_redirects). Redirects point at the article, not at a
 * slug, so a chain of renamings A → B → C always leads straight to C.
 */
export class ArticleRedirectsRepository {
  constructor(private readonly db: Knex) {}

  /** `oldSlug` now leads to `articleId`; the article's own slug no longer redirects anywhere. */
  async record(oldSlug: string, articleId: number, currentSlug: string, now: Date, trx: Knex = this.db): Promise<void> {
    // A slug given up by two articles in turn leads to the last one that had it.
    await trx('article_redirects')
      .insert({ old_slug: oldSlug, article_id: articleId, created_at: toDbTime(now) })
      .onConflict('old_slug')
      .merge(['article_id', 'created_at']);
    await trx('article_redirects').where('old_slug', currentSlug).del();
  }

  /** The current slug of the visible article `oldSlug` used to name, or null: also when an article has that slug now. */
  async target(site: PublicArticlesRepository, oldSlug: string): Promise<string | null> {
    if (await site.bySlug(oldSlug)) return null;
    const row: { slug?: string } | undefined = await site
      .visible()
      .join('article_redirects as r', 'r.article_id', 'a.id')
      .where('r.old_slug', oldSlug)
      .first('a.slug');
    return row?.slug ?? null;
  }
}

/**
 * For ArticlesService.onChangeInTransaction: a slug change records the old slug in the change's
 * own transaction, so that no renamed article is ever left without its redirect (nor a redirect
 * written for a change that was undone).
 */
export function recordOldSlugs(redirects: ArticleRedirectsRepository, clock: Clock) {
  return async (e: ArticleEvent, trx: Knex.Transaction): Promise<void> => {
    if (e.type !== 'updated' || e.before.slug === e.article.slug) return;
    await redirects.record(e.before.slug, e.article.id, e.article.slug, clock.now(), trx);
  };
}
