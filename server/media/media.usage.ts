import type { Knex } from 'knex';

/** Where an image is shown: an article (its picture or its text), a page's text, a proposed change. */
export interface MediaUse {
  kind: 'article' | 'page' | 'proposal';
  title: string;
  /** The admin screen where it can be taken out. */
  href: string;
}

export interface MediaUsage {
  count: number;
  /** The first few, most recently changed first. */
  uses: MediaUse[];
}

type Showing = { rows: { id: number; title: string }[]; count: number };

/**
 * The named queries of the domains that show images (their tables are theirs): the articles
 * (picture or text), the commune's pages (text), and the changes proposed to articles that wait
 * for approval (their snapshot: approving would bring the image back). `trx` is the media
 * library's own transaction when it deletes.
 */
export interface MediaShownBy {
  articles(mediaId: number, limit: number, trx?: Knex): Promise<Showing>;
  pages(mediaId: number, limit: number, trx?: Knex): Promise<Showing>;
  proposals(mediaId: number, trx?: Knex): Promise<{ articleId: number; title: string }[]>;
}

const SHOWN = 10;

/** Everything that would show a broken image if this one were deleted. */
export async function mediaUsage(shownBy: MediaShownBy, id: number, trx?: Knex): Promise<MediaUsage> {
  // One after the other inside a transaction: its one PostgreSQL connection runs one query at a
  // time anyway, and node-postgres deprecates being handed a second while the first runs.
  const [articles, pages, proposals] = trx
    ? [await shownBy.articles(id, SHOWN, trx), await shownBy.pages(id, SHOWN, trx), await shownBy.proposals(id, trx)]
    : await Promise.all([shownBy.articles(id, SHOWN), shownBy.pages(id, SHOWN), shownBy.proposals(id)]);
  const uses: MediaUse[] = [
    ...articles.rows.map((r) => ({ kind: 'article' as const, title: r.title, href: `/admin/articles/${r.id}` })),
    ...pages.rows.map((r) => ({ kind: 'page' as const, title: r.title, href: `/admin/pages/${r.id}/edit` })),
    ...proposals.map((r) => ({ kind: 'proposal' as const, title: r.title, href: `/admin/articles/${r.articleId}/proposal` })),
  ];
  return { count: articles.count + pages.count + proposals.length, uses: uses.slice(0, SHOWN) };
}
