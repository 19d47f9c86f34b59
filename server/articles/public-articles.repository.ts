/* eslint-disable @typescript-eslint/no-explicit-any -- knex rows are untyped until mapped here */
import type { Knex } from 'knex';
import { fromDbCount, fromDbTime, fromDbTimeOrNull, toDbTime } from '../db/dialect';
import type { OnlineJoin } from '../publishing/publishing.service';
import { SHOWN_COLUMNS, shownFromRow } from './article-row';
import type { ArticleShown } from './articles.types';

/**
 * What residents may see: an article is on the site when its site publication has been sent
 * (the publishing engine decides when) and the article is still published. Every public page,
 * feed and export reads through this one rule (`visible()` below).
 *
 * The fields are those every reader is shown (ArticleShown, read by article-row.ts as for the
 * team's Article) with the category's name and the time it went on the site; the team's own
 * fields (Markdown source, status, author, approval, version) are left out on purpose.
 */
export interface PublicArticle extends ArticleShown {
  categorySlug: string | null;
  categoryName: string | null;
  publishedAt: Date; // when it went on the site
}

export interface PublicCategory {
  id: number;
  slug: string;
  name: string;
  count: number;
}

/** The shown columns only (article-row.ts): a public page never reads the team's fields. */
const COLUMNS = [...SHOWN_COLUMNS.map((c) => `a.${c}`), 'p.sent_at', 'c.slug as category_slug', 'c.name as category_name'];

function toPublic(r: any): PublicArticle {
  return {
    ...shownFromRow(r),
    categorySlug: r.category_slug ?? null,
    categoryName: r.category_name ?? null,
    publishedAt: fromDbTime(r.sent_at),
  };
}

export interface PublicFilters {
  categoryId?: number;
  /** Only articles with an event ending (or starting, when it has no end) at or after this time. */
  eventsFrom?: Date;
  urgentSince?: Date;
  ids?: number[];
  limit: number;
  offset: number;
}

export class PublicArticlesRepository {
  /**
   * `online` is the publishing domain's named query: it joins, as `p`, the publication that put
   * each article online. The articles domain reads its articles and categories here, asks
   * publishing the rest, and the site reads residents' articles only through this class.
   */
  constructor(
    private readonly db: Knex,
    private readonly online: OnlineJoin,
  ) {}

  /** The visibility rule, as a query every public listing starts from. */
  visible(): Knex.QueryBuilder {
    return this.online(this.db('articles as a'), 'a.id', 'p').leftJoin('categories as c', 'c.id', 'a.category_id').where('a.status', 'published');
  }

  private filtered(f: Omit<PublicFilters, 'limit' | 'offset'>): Knex.QueryBuilder {
    return this.visible().modify((q) => {
      if (f.categoryId) q.where('a.category_id', f.categoryId);
      if (f.urgentSince) q.where('a.urgent', true).andWhere('p.sent_at', '>=', toDbTime(f.urgentSince));
      if (f.ids) q.whereIn('a.id', f.ids);
      if (f.eventsFrom) {
        const from = toDbTime(f.eventsFrom);
        q.whereNotNull('a.event_start').andWhere((w) =>
          w.where('a.event_end', '>=', from).orWhere((x) => x.whereNull('a.event_end').andWhere('a.event_start', '>=', from)),
        );
      }
    });
  }

  /** Newest first, or by event start when listing events. */
  async list(f: PublicFilters): Promise<{ rows: PublicArticle[]; total: number }> {
    const [rows, count] = await Promise.all([this.rows(f), this.filtered(f).count({ n: 'a.id' }).first()]);
    return { rows, total: fromDbCount(count?.n) };
  }

  /** `list` without the total, for the lists that show no pages (counting reads every visible row). */
  async rows(f: PublicFilters): Promise<PublicArticle[]> {
    const base = this.filtered(f);
    const ordered = f.eventsFrom ? base.orderBy('a.event_start', 'asc') : base.orderBy('p.sent_at', 'desc').orderBy('a.id', 'desc');
    return (await ordered.select(COLUMNS).limit(f.limit).offset(f.offset)).map(toPublic);
  }

  async bySlug(slug: string): Promise<PublicArticle | null> {
    const r = await this.visible().where('a.slug', slug).first(COLUMNS);
    return r ? toPublic(r) : null;
  }

  /** Other visible articles of the same category, newest first. */
  async related(article: PublicArticle, limit: number): Promise<PublicArticle[]> {
    const q = this.visible().whereNot('a.id', article.id);
    if (article.categoryId) q.where('a.category_id', article.categoryId);
    return (await q.orderBy('p.sent_at', 'desc').limit(limit).select(COLUMNS)).map(toPublic);
  }

  /** Categories with the number of visible articles in each. */
  async categories(): Promise<PublicCategory[]> {
    return (await this.categoriesAndTotal()).categories;
  }

  /** The categories, and the number of visible articles in all (those without a category too). */
  async categoriesAndTotal(): Promise<{ categories: PublicCategory[]; total: number }> {
    const [counts, categories] = await Promise.all([
      this.visible().select('a.category_id').count({ n: 'a.id' }).groupBy('a.category_id'),
      this.db('categories').orderBy('position'),
    ]);
    const byId = new Map<number | null, number>(counts.map((r: any) => [(r.category_id ?? null) as number | null, fromDbCount(r.n)]));
    let total = 0;
    for (const n of byId.values()) total += n;
    return { categories: categories.map((c: any) => ({ id: c.id, slug: c.slug, name: c.name, count: byId.get(c.id) ?? 0 })), total };
  }

  async categoryBySlug(slug: string): Promise<PublicCategory | null> {
    return (await this.categories()).find((c) => c.slug === slug) ?? null;
  }

  /** Every visible article's slug and last change, newest first (a sitemap holds 50 000 URLs at most). */
  async sitemapArticles(): Promise<{ slug: string; lastmod: Date }[]> {
    const rows: { slug: string; updated_at: unknown; sent_at: unknown }[] = await this.visible()
      .select('a.slug', 'a.updated_at', 'p.sent_at')
      .orderBy('p.sent_at', 'desc')
      .limit(49_000);
    return rows.map((r) => {
      const updated = fromDbTime(r.updated_at);
      const sent = fromDbTime(r.sent_at);
      return { slug: r.slug, lastmod: updated > sent ? updated : sent };
    });
  }

  /** When the visible content last changed: for ETags and feeds' "updated". */
  async lastChange(): Promise<Date | null> {
    const r: { m?: unknown; s?: unknown } | undefined = await this.visible().max({ m: 'a.updated_at' }).max({ s: 'p.sent_at' }).first();
    const candidates = [fromDbTimeOrNull(r?.m), fromDbTimeOrNull(r?.s)].filter((d): d is Date => !!d);
    return candidates.length ? new Date(Math.max(...candidates.map((d) => d.getTime()))) : null;
  }
}
