import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import type { ChannelMessage } from '../publishing.messages';
import type { CountMethod } from '../post-count';

export type { ChannelMessage };

/**
 * What every channel (site, newsletter, each social network) implements. Adding a network means
 * adding one adapter file and registering it (container.channels.ts), nothing else: the engine reads the
 * adapter's capabilities, never its channel name.
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
  /** The article's category; its hashtags (settings) end a generated post. */
  categoryId?: number | null;
  /** The hashtags chosen in the settings for the article's category, each with its "#". */
  hashtags?: string[];
}

export interface AccountContext {
  id: number;
  label: string;
  /** Non-secret settings (visibility, instance URL…). */
  settings: Record<string, unknown>;
  /** Decrypted; written back encrypted through `ports.saveCredentials`. */
  credentials: Record<string, unknown> | null;
}

export interface PublicationContext {
  id: number;
  articleId: number;
  accountId: number;
  channel: string;
  /** The officer's own text for this channel, as typed; adapters post `textParts` instead. */
  textVariant: string | null;
  /**
   * The text to post, already composed by the engine (server/publishing/post-text.ts): the
   * officer's text for this channel, else one generated from the title, summary, link (with
   * `ref=<channel>`) and the category's hashtags, fitted to `capabilities.text` counted its way.
   * One part, or several when `asThread`: each part within the limit, numbered " (1/3)", the link
   * in the first. Post them in order, each replying to the one before. Empty when the channel
   * has no text (`capabilities.text` null).
   */
  textParts: string[];
  /**
   * The officer chose "publier en fil". Only set on channels whose `capabilities.threads` is
   * true; a text too long for one post is refused at save time when it is false.
   */
  asThread: boolean;
  scheduledAt: Date;
  attempts: number;
  externalId: string | null;
  account: AccountContext;
}

/** One part of a thread that its network accepted (see ChannelPorts.thread). */
export interface SentPart {
  index: number;
  externalId: string;
  url: string | null;
  /** What the adapter needs to reply to this part (Bluesky's uri and cid, for instance). */
  data: Record<string, unknown>;
}

export interface ChannelImage {
  /** `card`: the 1200×630 social card; `largest`: the largest JPEG of the article's picture. */
  role: 'card' | 'largest';
  contentType: string;
  /** As handed: smaller than stored when the engine re-encoded the file to fit `maxBytes`. */
  width: number;
  height: number;
  /** The length of what `read()` gives, at most the channel's `maxBytes`. */
  bytes: number;
  alt: string;
  read(): Promise<Buffer>;
}

/** What the engine hands an adapter besides the article and the publication. */
export interface ChannelPorts {
  /** The article's public address, with `ref=<channel>` so that the audience names the source. */
  articleUrl(): string;
  /** The same without `ref`: the address the page is known by (the site's own record). */
  canonicalUrl(): string;
  /**
   * The article's picture as files, with its alt text; empty without a picture or without alt
   * text. Within `capabilities.images`: at most `max` files (`prefer`'s role first, then the
   * other), none larger than `maxBytes` (the engine re-encodes a larger one, or leaves it out when
   * it cannot fit: the post then goes without it). Empty when `images` is null.
   */
  images(prefer?: ChannelImage['role']): Promise<ChannelImage[]>;
  clock: Clock;
  log: Logger;
  /** A refreshed token: stored encrypted before the next call reads it. */
  saveCredentials(credentials: Record<string, unknown>): Promise<void>;
  /**
   * The parts of this publication already accepted by the network (table publication_parts).
   * Record each part as soon as the network accepted it, BEFORE posting the next: a retry, or
   * a run after a crash, reads `sent()` and resumes at the first part not in it, never posting
   * one twice. A single post may record itself as part 0 too.
   */
  thread: {
    sent(): Promise<SentPart[]>;
    record(index: number, externalId: string, url: string | null, data?: Record<string, unknown>): Promise<void>;
  };
  /**
   * Small durable state of this publication for its adapter (a JSON object, some kB at most):
   * write a value BEFORE the network call it protects (a record key chosen in advance, an
   * idempotency key), so that it is the same after a crash. `set` merges; null removes a key.
   */
  state: {
    get(): Promise<Record<string, unknown>>;
    set(patch: Record<string, unknown>): Promise<void>;
  };
  /**
   * Small durable state of the ACCOUNT (a JSON object kept on `channel_accounts`), shared by every
   * publication and every process that uses it: Facebook's hourly call budget of a Page. `update`
   * applies `change` atomically (re-read and re-applied if another process wrote meanwhile), so
   * `change` must be a pure function of the state it is given.
   */
  accountState: AccountStatePort;
}

export interface AccountStatePort {
  get(): Promise<Record<string, unknown>>;
  update(change: (state: Record<string, unknown>) => Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** What `publish` answers. Exceptions are for bugs: the engine records them as unexpected. */
export type PublishOutcome =
  | { kind: 'sent'; externalId: string; url: string | null }
  /** Accepted; the channel reports delivery later (a campaign): not uncertain meanwhile. */
  | { kind: 'queued'; reference: string | null }
  | { kind: 'transient'; message: ChannelMessage; retryAt?: Date }
  /** The whole account waits until `resetAt`. */
  | { kind: 'rateLimited'; message: ChannelMessage; resetAt: Date }
  | { kind: 'permanent'; message: ChannelMessage }
  /** The token was revoked or expired: the account is marked, its publications wait for a reconnection. */
  | { kind: 'reconnect'; message: ChannelMessage };

export const outcome = {
  sent: (externalId: string, url: string | null): PublishOutcome => ({ kind: 'sent', externalId, url }),
  queued: (reference: string | null = null): PublishOutcome => ({ kind: 'queued', reference }),
  transient: (code: string, values: ChannelMessage['values'] = {}, retryAt?: Date): PublishOutcome => ({
    kind: 'transient',
    message: { code, values },
    retryAt,
  }),
  rateLimited: (resetAt: Date, code = 'network.rate_limited', values: ChannelMessage['values'] = {}): PublishOutcome => ({
    kind: 'rateLimited',
    message: { code, values },
    resetAt,
  }),
  permanent: (code: string, values: ChannelMessage['values'] = {}): PublishOutcome => ({ kind: 'permanent', message: { code, values } }),
  reconnect: (code = 'account.reconnect', values: ChannelMessage['values'] = {}): PublishOutcome => ({ kind: 'reconnect', message: { code, values } }),
};

export interface ChannelCapabilities {
  /** Online while the article is published, gone when it is withdrawn (the site). */
  followsArticle: boolean;
  /** Posts only once the article's site page is online: a post never links to a 404. */
  needsSitePage: boolean;
  canRetract: boolean;
  /** A long text may become a thread. */
  threads: boolean;
  /**
   * Publishing twice has the effect of publishing once (the site): a send cut short by a crash is
   * simply done again, with no one asked.
   */
  repeatable: boolean;
  /**
   * The network's text limit, counted its way (graphemes, weighted URLs); null: no text. Build it
   * with `textCapability(limit, method)` (server/publishing/post-count.ts): `method` names the
   * counter the officer's browser runs too (the same file), so both count alike.
   */
  text: { limit: number; count(text: string): number; method?: CountMethod } | null;
  /**
   * How many picture files a post takes and how large each may be (bytes); null: none. The engine
   * enforces both on what `ports.images()` hands: adapters never shrink pictures themselves.
   */
  images: { max: number; maxBytes: number } | null;
  /** How often figures are worth fetching; null: the channel has none to fetch. */
  metricsEveryMs: number | null;
  /**
   * The network says how many times a post was shown (its figures include `impressions`:
   * Facebook, X). False: the figures pages write "non communiqué" for a post's impressions rather
   * than a zero (Mastodon, Bluesky, a post made by hand). The site and the newsletter count their
   * readers with their own figures (views, deliveries), never impressions: false.
   */
  reportsImpressions: boolean;
  /**
   * A person posts it (the hand-off): `publish` answers `queued`, the officer is told, and marks
   * it done with its address. Listed on the dashboard; listed "to remove by hand" on retraction.
   */
  manual?: boolean;
  /**
   * Publications wait (`queued`, no reference yet) for a batch that goes out later: the
   * newsletter's digest. An urgent send takes such a waiting one back, so that it goes out on its
   * own at once (the newsletter's alert) instead of with the batch.
   */
  batched?: boolean;
}

export interface ChannelMetrics {
  [metric: string]: number;
}

/** A form field of the "connect an account" page, for networks connected by pasting values. */
export interface ConnectField {
  name: string;
  label: string;
  secret?: boolean;
  help?: string;
  type?: 'text' | 'url' | 'password';
  /** A choice among these values (a list on the form); the first is the default. */
  options?: { value: string; label: string }[];
  /** What the field holds when the form opens (Bluesky's usual server); the administrator may change it. */
  value?: string;
}

/** What connecting an account produces. */
export interface ConnectedAccount {
  label: string;
  settings: Record<string, unknown>;
  credentials: Record<string, unknown> | null;
  expiresAt?: Date | null;
  /** When the network ends the app's access to the account's data (Facebook's data_access_expires_at). */
  dataAccessExpiresAt?: Date | null;
  /** The account's picture as the network gives it (an https address): fetched once and kept by Crieur. */
  avatarUrl?: string | null;
}

/**
 * Who the network says the account is ("test the connection"), or why it cannot tell. `avatarUrl`
 * is the network's address of the account's picture: Crieur fetches it and serves its own copy.
 */
export type ConnectionCheck = { ok: true; name: string; avatarUrl?: string | null } | { ok: false; reconnect: boolean; message: ChannelMessage };

export type ConnectMethod =
  | { kind: 'none' }
  | { kind: 'form'; fields: ConnectField[]; connect(values: Record<string, string>, signal: AbortSignal): Promise<ConnectedAccount> }
  | {
      kind: 'oauth';
      /** Fields asked before the redirect (a Mastodon instance's address); may be empty. */
      fields: ConnectField[];
      start(
        values: Record<string, string>,
        callbackUrl: string,
        state: string,
        signal: AbortSignal,
      ): Promise<{ redirectUrl: string; pending: Record<string, unknown> }>;
      finish(query: Record<string, string>, pending: Record<string, unknown>, callbackUrl: string, signal: AbortSignal): Promise<ConnectedAccount>;
    };

export interface ChannelAdapter {
  readonly channel: string;
  /** The network's name as officers know it. */
  readonly label: string;
  readonly capabilities: ChannelCapabilities;
  readonly connect: ConnectMethod;
  /**
   * One account's text limit when it is not the network's (a Mastodon instance sets its own,
   * read when the account was connected). Read through `textCapabilityOf`, never directly.
   */
  textFor?(account: Pick<AccountContext, 'settings'>): ChannelCapabilities['text'];
  /**
   * Choices an administrator may change later without reconnecting (a Mastodon account's
   * visibility): each has `options`, and its value is kept in the account's settings under its name.
   */
  readonly settingsFields?: ConnectField[];
  /**
   * Who the account is on the network, from its settings (a user id, a Page id, a DID): a
   * reconnection that names someone else is refused rather than silently swapping the identity.
   */
  identityOf?(settings: Record<string, unknown>): string | null;
  publish(article: PublishableArticle, publication: PublicationContext, ports: ChannelPorts, signal: AbortSignal): Promise<PublishOutcome>;
  testConnection?(
    account: AccountContext,
    ports: Pick<ChannelPorts, 'clock' | 'log' | 'saveCredentials' | 'accountState'>,
    signal: AbortSignal,
  ): Promise<ConnectionCheck>;
  fetchMetrics?(publication: PublicationContext & { externalId: string }, ports: ChannelPorts, signal: AbortSignal): Promise<ChannelMetrics | null>;
  retract?(publication: PublicationContext & { externalId: string }, ports: ChannelPorts, signal: AbortSignal): Promise<void>;
  /**
   * For a send cut short by a crash on a channel that is not repeatable: looks the post up. A
   * result means it went out, null that it did not (it is sent again), undefined that the
   * network cannot tell (a person decides). Throw when the network did not answer (down, slow,
   * an error status): the engine asks again after the sending timeout, up to maxAttempts times.
   */
  findSent?(publication: PublicationContext, ports: ChannelPorts, signal: AbortSignal): Promise<{ externalId: string; url: string | null } | null | undefined>;
}

/** The channel posts pictures: the engine hands it some (`capabilities.images`, `max` at least 1). */
export function takesPictures(capabilities: Pick<ChannelCapabilities, 'images'>): boolean {
  return !!capabilities.images && capabilities.images.max > 0;
}

/** The text limit that applies to this account: its own when the adapter has one, else the network's. */
export function textCapabilityOf(adapter: ChannelAdapter, account: Pick<AccountContext, 'settings'>): ChannelCapabilities['text'] {
  return adapter.textFor?.(account) ?? adapter.capabilities.text;
}
