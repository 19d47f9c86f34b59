import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { articleUrl } from '../articles/article-url';
import type { AccountsRepository } from './accounts.repository';
import type { ChannelImage, ChannelPorts, PublishableArticle } from './channels/channel-adapter';
import type { PublicationsRepository } from './publications.repository';

interface PortDeps {
  baseUrl: string;
  media: { channelFiles(id: number): Promise<Omit<ChannelImage, 'alt'>[]> };
  accounts: Pick<AccountsRepository, 'saveCredentials' | 'adapterState' | 'updateAdapterState'>;
  publications: Pick<PublicationsRepository, 'parts' | 'recordPart' | 'adapterState' | 'patchAdapterState'>;
  clock: Clock;
  log: Logger;
}

/** The publication the ports serve: its id keys the thread's parts and the adapter's state. */
export interface PortsTarget {
  id: number;
  channel: string;
  accountId: number;
}

/** What the engine hands every adapter besides the article and the publication (see ChannelPorts). */
export function channelPorts(d: PortDeps): (article: PublishableArticle, publication: PortsTarget) => ChannelPorts {
  return (article, publication) => ({
    articleUrl: () => articleUrl(d.baseUrl, article.slug, publication.channel),
    canonicalUrl: () => articleUrl(d.baseUrl, article.slug),
    // A picture without its alt text is never posted (RGAA applies to the commune's posts too):
    // saving refuses it, and an adapter never receives one.
    images: async () =>
      article.heroMediaId && article.heroAlt.trim()
        ? (await d.media.channelFiles(article.heroMediaId)).map((f) => ({ ...f, alt: article.heroAlt.trim() }))
        : [],
    clock: d.clock,
    log: d.log.child({ channel: publication.channel }),
    saveCredentials: (credentials) => d.accounts.saveCredentials(publication.accountId, credentials, d.clock.now()),
    thread: {
      sent: async () => (await d.publications.parts(publication.id)).map(({ index, externalId, url, data }) => ({ index, externalId, url, data })),
      record: (index, externalId, url, data = {}) => d.publications.recordPart(publication.id, index, externalId, url, data, d.clock.now()),
    },
    state: {
      get: () => d.publications.adapterState(publication.id),
      set: (patch) => d.publications.patchAdapterState(publication.id, patch, d.clock.now()),
    },
    accountState: {
      get: () => d.accounts.adapterState(publication.accountId),
      update: (change) => d.accounts.updateAdapterState(publication.accountId, change, d.clock.now()),
    },
  });
}
