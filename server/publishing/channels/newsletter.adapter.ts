import { outcome, type ChannelAdapter, type PublicationContext, type PublishableArticle, type PublishOutcome } from './channel-adapter';

/** What the adapter asks of the newsletter's campaigns (server/newsletter/campaigns.service.ts). */
export interface NewsletterCampaigns {
  /** An urgent article's alert campaign, started at once; the same campaign if it exists already. */
  alertFor(articleId: number, publicationId: number): Promise<number>;
  campaignOfPublication(publicationId: number): Promise<{ status: string; number: number | null } | null>;
  webUrl(number: number): string;
}

/**
 * The residents' newsletter. An article is not sent on its own: its publication is accepted
 * (`queued`) and waits for the next digest, which reports it delivered when the campaign has gone
 * out (CampaignsService.markSent → PublishingService.reportDelivery). An urgent article starts an
 * alert campaign at once.
 */
export class NewsletterAdapter implements ChannelAdapter {
  readonly channel = 'newsletter';
  readonly label = 'Lettre d’information';
  readonly capabilities = {
    followsArticle: false,
    // The e-mail links to the article: its page must be online first.
    needsSitePage: true,
    canRetract: false,
    threads: false,
    repeatable: false,
    text: null,
    images: null,
    metricsEveryMs: null,
    reportsImpressions: false,
    batched: true,
  };
  readonly connect = { kind: 'none' } as const;

  constructor(private readonly campaigns: NewsletterCampaigns) {}

  async publish(article: PublishableArticle, publication: PublicationContext): Promise<PublishOutcome> {
    if (!article.urgent) return outcome.queued(null);
    const id = await this.campaigns.alertFor(article.id, publication.id);
    return outcome.queued(`alert-${id}`);
  }

  /**
   * After a crash mid-publish: a publication no campaign holds was never accepted (publish again);
   * one in a sent campaign went out; one in a campaign under way cannot be called sent yet.
   */
  async findSent(publication: PublicationContext): Promise<{ externalId: string; url: string | null } | null | undefined> {
    const c = await this.campaigns.campaignOfPublication(publication.id);
    if (!c) return null;
    if (c.status === 'sent' && c.number !== null) return { externalId: `campaign-${c.number}`, url: this.campaigns.webUrl(c.number) };
    return undefined;
  }
}
