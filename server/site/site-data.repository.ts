import { fromDbTime } from '../db/dialect';
import type { SiteRepository } from './site.repository';

/** The light queries of the sitemap and feeds, built on the one visibility rule. */
export class SiteDataRepository {
  constructor(private readonly site: SiteRepository) {}

  /** Every visible article's slug and last change, newest first (a sitemap holds 50 000 URLs at most). */
  async sitemapArticles(): Promise<{ slug: string; lastmod: Date }[]> {
    const rows: { slug: string; updated_at: unknown; sent_at: unknown }[] = await this.site
      .visible()
      .select('a.slug', 'a.updated_at', 'p.sent_at')
      .orderBy('p.sent_at', 'desc')
      .limit(49_000);
    return rows.map((r) => {
      const updated = fromDbTime(r.updated_at);
      const sent = fromDbTime(r.sent_at);
      return { slug: r.slug, lastmod: updated > sent ? updated : sent };
    });
  }
}
