import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { articleUrl } from '../articles/article-url';
import type { AccountsRepository } from './accounts.repository';
import type { ChannelImage, ChannelPorts, PublishableArticle } from './channels/channel-adapter';

interface PortDeps {
  baseUrl: string;
  media: { channelFiles(id: number): Promise<Omit<ChannelImage, 'alt'>[]> };
  accounts: Pick<AccountsRepository, 'saveCredentials'>;
  clock: Clock;
  log: Logger;
}

/** What the engine hands every adapter besides the article and the publication (see ChannelPorts). */
export function channelPorts(d: PortDeps): (article: PublishableArticle, publication: { channel: string; accountId: number }) => ChannelPorts {
  return (article, publication) => ({
    articleUrl: () => articleUrl(d.baseUrl, article.slug, publication.channel),
    canonicalUrl: () => articleUrl(d.baseUrl, article.slug),
    images: async () => (article.heroMediaId ? (await d.media.channelFiles(article.heroMediaId)).map((f) => ({ ...f, alt: article.heroAlt })) : []),
    clock: d.clock,
    log: d.log.child({ channel: publication.channel }),
    saveCredentials: (credentials) => d.accounts.saveCredentials(publication.accountId, credentials, d.clock.now()),
  });
}
