import { textCapability } from '../post-count';
import {
  outcome,
  type ChannelAdapter,
  type ChannelPorts,
  type ConnectedAccount,
  type PublicationContext,
  type PublishableArticle,
  type PublishOutcome,
} from './channel-adapter';

/** What the officer is told when a hand-off post is due (HandoffService sends the e-mail). */
export interface HandoffNotice {
  publicationId: number;
  articleId: number;
  articleTitle: string;
  network: string;
  text: string;
}

/**
 * Networks Crieur has no connector for (Instagram, LinkedIn, PanneauPocket, IntraMuros…): at the
 * post's time the officer is told on the dashboard and by e-mail, copies the text, downloads the
 * picture, posts by hand, then gives the post's address, which reports the delivery. The account
 * is only a name: no secret, no call to any network.
 */
export class HandoffAdapter implements ChannelAdapter {
  readonly channel = 'handoff';
  readonly label = 'Publication à la main';
  readonly capabilities = {
    followsArticle: false,
    needsSitePage: true,
    canRetract: false,
    threads: false,
    // Telling the officer twice is harmless, and the state below tells only once anyway.
    repeatable: true,
    // Instagram's caption limit, the shortest of the networks handed off; graphemes.
    text: textCapability(2200, 'graphemes'),
    images: { max: 1, maxBytes: 30_000_000 },
    metricsEveryMs: null,
    reportsImpressions: false,
    manual: true,
  };

  constructor(private readonly notify: (notice: HandoffNotice) => Promise<void>) {}

  readonly connect = {
    kind: 'form' as const,
    fields: [
      {
        name: 'network',
        label: 'Nom du réseau',
        help: 'Le réseau où vous publierez vous-même : Instagram, LinkedIn, PanneauPocket, IntraMuros…',
      },
    ],
    connect: async (values: Record<string, string>): Promise<ConnectedAccount> => {
      const network = (values.network ?? '').replace(/\s+/g, ' ').trim().slice(0, 60);
      if (!network) throw new Error('a network name is required');
      return { label: network, settings: { network }, credentials: null };
    },
  };

  async publish(article: PublishableArticle, p: PublicationContext, ports: ChannelPorts): Promise<PublishOutcome> {
    // Written before telling, so that a send taken up again after a crash does not tell twice.
    const state = await ports.state.get();
    if (!state.notifiedAt) {
      await ports.state.set({ notifiedAt: ports.clock.now().toISOString() });
      await this.notify({
        publicationId: p.id,
        articleId: article.id,
        articleTitle: article.title,
        network: String(p.account.settings.network ?? p.account.label),
        text: p.textParts.join('\n\n'),
      });
    }
    return outcome.queued(null);
  }

  async testConnection(account: { label: string }) {
    return { ok: true as const, name: account.label };
  }
}
