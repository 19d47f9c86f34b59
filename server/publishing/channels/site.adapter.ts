import { outcome, type ChannelAdapter, type ChannelPorts, type PublishableArticle, type PublishOutcome } from './channel-adapter';

/**
 * The commune's own website. Publishing is a bookkeeping act: the site shows an article whose
 * site publication is `sent`, so marking it sent at its time is what makes it visible; retracting
 * hides it again. Views are counted by the site itself (server-side audience), not fetched.
 */
export class SiteAdapter implements ChannelAdapter {
  readonly channel = 'site';
  readonly label = 'Site de la commune';
  readonly capabilities = {
    followsArticle: true,
    needsSitePage: false,
    canRetract: true,
    threads: false,
    // Marking the page online twice leaves it online once: a crash mid-send is finished alone.
    repeatable: true,
    text: null,
    images: null,
    metricsEveryMs: null,
    reportsImpressions: false,
  };
  readonly connect = { kind: 'none' } as const;

  async publish(article: PublishableArticle, _p: unknown, ports: ChannelPorts): Promise<PublishOutcome> {
    return outcome.sent(`article-${article.id}`, ports.canonicalUrl());
  }

  async retract(): Promise<void> {
    // Nothing to call: the publication's status `retracted` is what hides the page.
  }
}
