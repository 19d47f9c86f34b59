import type { Knex } from 'knex';
import { fromDbCount, LIKE_ESCAPE, likeOperator } from '../db/dialect';

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

const SHOWN = 10;

/**
 * Everything that would show a broken image if this one were deleted: articles (their picture,
 * or the Markdown/HTML of their text), the commune's pages (their text), and the changes proposed
 * to online articles that wait for approval (their snapshot: approving would bring it back).
 * Bodies point at an image by its address, /media/<id>/<file>.
 */
export async function mediaUsage(db: Knex, id: number, trx: Knex = db): Promise<MediaUsage> {
  const op = likeOperator(trx) === 'ilike' ? 'ILIKE' : 'LIKE';
  const inText = `%/media/${id}/%`;
  const articles = trx('articles').where((w) => w.where('hero_media_id', id).orWhereRaw(`body_md ${op} ? ${LIKE_ESCAPE}`, [inText]));
  const pages = trx('pages').whereRaw(`body_md ${op} ? ${LIKE_ESCAPE}`, [inText]);
  const [articleRows, articleCount, pageRows, pageCount, pending] = await Promise.all([
    articles.clone().orderBy('updated_at', 'desc').limit(SHOWN).select('id', 'title') as Promise<{ id: number; title: string }[]>,
    articles.clone().count({ n: '*' }).first(),
    pages.clone().orderBy('updated_at', 'desc').limit(SHOWN).select('id', 'title') as Promise<{ id: number; title: string }[]>,
    pages.clone().count({ n: '*' }).first(),
    // At most one pending proposal per article: few rows, read whole and looked into here.
    trx('article_revisions as r')
      .join('articles as a', 'a.id', 'r.article_id')
      .where('r.status', 'pending')
      .orderBy('r.updated_at', 'desc')
      .select('r.article_id as articleId', 'r.snapshot', 'a.title') as Promise<{ articleId: number; snapshot: string; title: string }[]>,
  ]);
  const proposals = pending.filter((r) => {
    const s = JSON.parse(r.snapshot) as { heroMediaId?: unknown; bodyMd?: unknown };
    return s.heroMediaId === id || (typeof s.bodyMd === 'string' && s.bodyMd.includes(`/media/${id}/`));
  });
  const uses: MediaUse[] = [
    ...articleRows.map((r) => ({ kind: 'article' as const, title: r.title, href: `/admin/articles/${r.id}` })),
    ...pageRows.map((r) => ({ kind: 'page' as const, title: r.title, href: `/admin/pages/${r.id}/edit` })),
    ...proposals.map((r) => ({ kind: 'proposal' as const, title: r.title, href: `/admin/articles/${r.articleId}/proposal` })),
  ];
  const count = fromDbCount((articleCount as { n?: unknown } | undefined)?.n) + fromDbCount((pageCount as { n?: unknown } | undefined)?.n) + proposals.length;
  return { count, uses: uses.slice(0, SHOWN) };
}
