/**
 * The vocabulary of the engagement store, shared with the dashboard (server/stats). An event is
 * a count, never a person: what happened (channel, kind), to which article, publication or
 * campaign, where the reader came from (site views only), and how many times (`value`, additive:
 * the sums of values are the figures; a social network's snapshot becomes the growth since the
 * previous one).
 */

/**
 * The commune's own channels, measured by the site's audience and the newsletter's campaigns with
 * their own kinds. Every other channel is a network (its adapter says what it reports).
 */
export const OWN_CHANNELS = ['site', 'newsletter'] as const;

export type SiteKind = 'view' | 'visitor';
export type NewsletterKind = 'delivery' | 'article_delivery' | 'open' | 'click' | 'bounce' | 'complaint' | 'unsubscribe' | 'subscribe';
export type SocialKind = 'impression' | 'reaction' | 'share' | 'reply' | 'quote' | 'click';

export type EngagementEvent =
  | ({ channel: 'site'; kind: SiteKind } & EventFields)
  | ({ channel: 'newsletter'; kind: NewsletterKind } & EventFields)
  // Any network's publication (a channel registered with its adapter).
  | ({ channel: string; kind: SocialKind } & EventFields);

interface EventFields {
  /** When it happened; the recorder's clock when absent. Its Europe/Paris day is the event's day. */
  at?: Date;
  articleId?: number | null;
  publicationId?: number | null;
  campaignId?: number | null;
  /** Site views: the audience classifier's source (direct, search, social, newsletter, other). */
  source?: string;
  /** How many (1 when absent). Zero is not recorded. */
  value?: number;
  /** Generated history of the demo commune. */
  demo?: boolean;
}

/** One row of engagement_events as written. */
export interface EventRow {
  occurred_at: string;
  day: string;
  article_id: number | null;
  publication_id: number | null;
  campaign_id: number | null;
  channel: string;
  kind: string;
  source: string;
  value: number;
  demo: boolean;
}
