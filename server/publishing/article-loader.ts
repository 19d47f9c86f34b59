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
