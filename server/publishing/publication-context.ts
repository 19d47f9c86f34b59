import {
  textCapabilityOf,
  type AccountContext,
  type ChannelAdapter,
  type ChannelPorts,
  type PublicationContext,
  type PublishableArticle,
} from './channels/channel-adapter';
import { postParts } from './post-text';
import type { Publication } from './publications.repository';

/**
 * The publication as an adapter sees it, with its text composed by the engine (post-text.ts):
 * every caller (the dispatcher, the metrics job, retraction) builds it here, so every adapter
 * receives the same parts for the same publication.
 */
export function publicationContext(
  p: Publication,
  account: AccountContext,
  article: PublishableArticle,
  adapter: ChannelAdapter | undefined,
  ports: Pick<ChannelPorts, 'articleUrl'>,
): PublicationContext {
  // The account's own limit when its network has one per account (a Mastodon instance's).
  const text = adapter ? textCapabilityOf(adapter, account) : null;
  const asThread = p.asThread && !!adapter?.capabilities.threads;
  return {
    id: p.id,
    articleId: p.articleId,
    accountId: p.accountId,
    channel: p.channel,
    textVariant: p.textVariant,
    textParts: postParts({
      variant: p.textVariant,
      source: { title: article.title, summary: article.summary, url: ports.articleUrl(), hashtags: article.hashtags ?? [] },
      limit: text,
      asThread,
    }),
    asThread,
    scheduledAt: p.scheduledAt,
    attempts: p.attempts,
    externalId: p.externalId,
    account,
  };
}
