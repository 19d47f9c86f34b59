import type { Knex } from 'knex';
import { fromDbBool } from '../db/dialect';
import type { PublishableArticle } from './channels/channel-adapter';

/**
 * The few article fields adapters need, read in one query. Kept separate from the editor's
 * service so that the dispatcher's hot path loads no version history or media.
 */
export function articleLoader(db: Knex): (id: number) => Promise<PublishableArticle | null> {
  return async (id) => {
    const r = await db('articles').where({ id }).first('id', 'slug', 'title', 'summary', 'body_html', 'hero_media_id', 'hero_alt', 'urgent');
    if (!r) return null;
    return { id: r.id, slug: r.slug, title: r.title, summary: r.summary, bodyHtml: r.body_html, heroMediaId: r.hero_media_id, heroAlt: r.hero_alt, urgent: fromDbBool(r.urgent) };
  };
}

export interface ArticleState {
  id: number;
  title: string;
  slug: string;
  status: string;
  publishAt: Date | null;
  urgent: boolean;
}

/** What the channel panel needs to know of an article: its status and default time. */
export function articleStateLoader(db: Knex): (id: number) => Promise<ArticleState | null> {
  return async (id) => {
    const r = await db('articles').where({ id }).first('id', 'title', 'slug', 'status', 'publish_at', 'urgent');
    if (!r) return null;
    return { id: r.id, title: r.title, slug: r.slug, status: r.status, publishAt: r.publish_at ? new Date(r.publish_at) : null, urgent: fromDbBool(r.urgent) };
  };
}
