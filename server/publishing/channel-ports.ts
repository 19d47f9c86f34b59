import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { articleUrl } from '../articles/article-url';
import type { AccountsRepository } from './accounts.repository';
import { imagesWithin, type PictureFile } from './channel-images';
import type { ChannelAdapter, ChannelPorts, PublishableArticle } from './channels/channel-adapter';
import type { PublicationsRepository } from './publications.repository';

interface PortDeps {
  baseUrl: string;
  media: { channelFiles(id: number): Promise<PictureFile[]> };
  /** The adapters, for the pictures each channel takes (`capabilities.images`). */
  adapters: { get(channel: string): Pick<ChannelAdapter, 'capabilities'> | undefined };
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
  return (article, publication) => {
    const log = d.log.child({ channel: publication.channel });
    return {
      articleUrl: () => articleUrl(d.baseUrl, article.slug, publication.channel),
      canonicalUrl: () => articleUrl(d.baseUrl, article.slug),
      // A picture without its alt text is never posted (RGAA applies to the commune's posts too):
      // saving refuses it, and an adapter never receives one. The engine, not each adapter, keeps
      // what it hands within the channel's declared count and size.
      images: async (prefer) =>
        article.heroMediaId && article.heroAlt.trim()
          ? imagesWithin(
              await d.media.channelFiles(article.heroMediaId),
              article.heroAlt.trim(),
              d.adapters.get(publication.channel)?.capabilities.images ?? null,
              prefer,
              log.child({ publicationId: publication.id, mediaId: article.heroMediaId }),
            )
          : [],
      clock: d.clock,
      log,
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
    };
  };
}
