import type { Knex } from 'knex';
import type { ArticleEvent } from '../articles/articles.types';
import type { PublishingService } from './publishing.service';

/**
 * The article drives its publications, in the article's own transaction (outbox rule: no
 * published article without its publications, even after a crash): publishing releases the
 * planned channels (or plans the channels that follow the article), archiving or unpublishing
 * withdraws them, a new publication time moves the channels that were timed with it, and an
 * online article made urgent goes out everywhere at once. What
 * it does is audited in the name of the person who acted on the article.
 */
export function articlePublicationPolicy(publishing: PublishingService): (e: ArticleEvent, trx: Knex.Transaction) => Promise<void> {
  return async (e, trx) => {
    if (e.type === 'updated') {
      await publishing.lifecycle.articleRescheduled(e.article, e.before.publishAt, trx);
      // An online article made urgent (the form's box, or the alert button) goes everywhere now.
      if (e.article.urgent && !e.before.urgent && e.article.status === 'published') await publishing.lifecycle.sendEverywhereNow(e.article.id, e.actor, trx);
    }
    if (e.type !== 'status_changed') return;
    if (e.to === 'published') await publishing.lifecycle.articlePublished(e.article, e.actor, trx);
    else if (e.from === 'published') await publishing.lifecycle.articleWithdrawn(e.article.id, e.actor, trx);
  };
}
