/**
 * What every channel (site, newsletter, each social network) implements. Adding a network means
 * adding one adapter file and registering it in registry.ts, nothing else.
 */
export interface PublishableArticle {
  id: number;
  slug: string;
  title: string;
  summary: string;
  bodyHtml: string;
  heroMediaId: number | null;
  heroAlt: string;
  urgent: boolean;
}

export interface PublicationContext {
  id: number;
  articleId: number;
  accountId: number;
  channel: string;
  textVariant: string | null;
  scheduledAt: Date;
  attempts: number;
  externalId: string | null;
  /** The account's non-secret settings and decrypted credentials. */
  account: { id: number; label: string; settings: Record<string, unknown>; credentials: Record<string, unknown> | null };
}

export interface PublishResult {
  externalId: string;
  url: string | null;
}

export interface ChannelMetrics {
  [metric: string]: number;
}

export interface ChannelAdapter {
  readonly channel: string;
  /** Whether `retract` exists for this network (Crieur shows "Retirer" only then). */
  readonly canRetract: boolean;
  /**
   * Publishing twice has the effect of publishing once (the site: a page is online or not). A
   * send cut short by a crash is then simply done again, with no one asked.
   */
  readonly repeatable: boolean;
  /**
   * For a send cut short by a crash on a channel that is not repeatable: looks the post up on the
   * network. A result means it went out, null that it did not (it is sent again), undefined that
   * the network cannot tell (a person decides).
   */
  findSent?(publication: PublicationContext, signal: AbortSignal): Promise<PublishResult | null | undefined>;
  publish(article: PublishableArticle, publication: PublicationContext, signal: AbortSignal): Promise<PublishResult>;
  fetchMetrics(publication: PublicationContext & { externalId: string }): Promise<ChannelMetrics | null>;
  retract?(publication: PublicationContext & { externalId: string }): Promise<void>;
}

/** Worth trying again later: a timeout, a 5xx, the network. */
export class TransientChannelError extends Error {
  constructor(message: string, public readonly retryAt?: Date) {
    super(message);
    this.name = 'TransientChannelError';
  }
}

/** The network said "too many requests" and when to come back. */
export class RateLimitedError extends TransientChannelError {
  constructor(message: string, retryAt: Date) {
    super(message, retryAt);
    this.name = 'RateLimitedError';
  }
}

/** Trying again cannot help: bad credentials, content refused, account suspended. */
export class PermanentChannelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentChannelError';
  }
}
