import type { ChannelAdapter, PublishableArticle, PublicationContext, PublishResult } from './channel-adapter';

/**
 * The commune's own website. Publishing is a bookkeeping act: the site shows an article whose
 * site publication is `sent`, so marking it sent at its time is what makes it visible; retracting
 * hides it again.
 */
export class SiteAdapter implements ChannelAdapter {
  readonly channel = 'site';
  readonly canRetract = true;
  // Marking the page online twice leaves it online once: a crash mid-send is finished alone.
  readonly repeatable = true;

  constructor(private readonly baseUrl: string) {}

  async publish(article: PublishableArticle, _p: PublicationContext): Promise<PublishResult> {
    return { externalId: `article-${article.id}`, url: `${this.baseUrl}/actualites/${encodeURIComponent(article.slug)}` };
  }

  async fetchMetrics(): Promise<null> {
    // Site views are counted by the site itself (server-side audience), not fetched.
    return null;
  }

  async retract(): Promise<void> {
    // Nothing to call: the publication's status `retracted` is what hides the page.
  }
}
