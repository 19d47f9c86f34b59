import type { ITwitterApiClientPlugin, TweetV2, TwitterApi } from 'twitter-api-v2';
import { isXRequestError, twitter } from './lazy-libs';
import { NetworkUnreachableError } from '../accounts.service';
import { textCapability } from '../post-count';
import {
  outcome,
  type AccountContext,
  type ChannelAdapter,
  type ChannelPorts,
  type ConnectedAccount,
  type ConnectionCheck,
  type PublicationContext,
  type PublishableArticle,
  type PublishOutcome,
} from './channel-adapter';
import { isAccessRevoked, outcomeOf } from './x.errors';

export interface XOptions {
  /**
   * twitter-api-v2 plugins. The library's hosts are fixed (api.x.com): the TESTS pass a plugin
   * that sends the signed request to a local server. Nothing passes one in production.
   */
  plugins?: ITwitterApiClientPlugin[];
}

interface XCredentials {
  appKey: string;
  appSecret: string;
  accessToken: string;
  accessSecret: string;
}

/** `metrics`: X bills every read, so figures are off unless an administrator turns them on. */
interface XSettings {
  userId: string;
  username: string;
  metrics?: 'off' | 'daily' | 'weekly';
}

const DAY = 86_400_000;

const METRICS_FIELD = {
  name: 'metrics',
  label: 'Statistiques des publications',
  options: [
    { value: 'off', label: 'Ne pas les récupérer (X facture chaque lecture)' },
    { value: 'weekly', label: 'Une fois par semaine' },
    { value: 'daily', label: 'Une fois par jour' },
  ],
};

const URL_RE = /https?:\/\/\S+/g;

/** Text reduced for comparison: the first `links` addresses as a mark, any others dropped, entities and spaces undone. */
function reduced(text: string, links: number): string {
  let seen = 0;
  return text
    .replace(URL_RE, () => (seen++ < links ? '↗' : ''))
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Whether a post X gives back is our text: X shortens every link to t.co, escapes &, < and >,
 * and adds the picture's own t.co link at the end.
 */
export function sameText(ours: string, theirs: string): boolean {
  const links = (ours.match(URL_RE) ?? []).length;
  return reduced(ours, links) === reduced(theirs, links);
}

/**
 * X, with OAuth 1.0a user tokens from the commune's own developer app (four values pasted by an
 * administrator). A post is the engine's text, the picture uploaded with its alt text, and a
 * thread's parts each replying to the one before. X has no idempotency key: the part being sent
 * is noted (ports.state) before the call, and when an attempt ended without a clear answer, one
 * look at the account's recent posts (a billed read) tells whether it went out.
 */
export class XAdapter implements ChannelAdapter {
  readonly channel = 'x';
  readonly label = 'X (Twitter)';
  readonly capabilities = {
    followsArticle: false,
    needsSitePage: true,
    canRetract: true,
    threads: true,
    repeatable: false,
    text: textCapability(280, 'x'),
    images: { max: 1, maxBytes: 5_000_000 },
    // The shortest cadence an administrator can choose; each account says whether and how often (fetchMetrics).
    metricsEveryMs: DAY,
    reportsImpressions: true,
  };

  constructor(private readonly options: XOptions = {}) {}

  /** The user id X gives: it stays the same when the @name changes. */
  identityOf(settings: Record<string, unknown>): string | null {
    return settings.userId ? String(settings.userId) : null;
  }

  /** How often figures are read (each read is billed): changed without reconnecting. */
  readonly settingsFields = [METRICS_FIELD];

  readonly connect = {
    kind: 'form' as const,
    fields: [
      {
        name: 'appKey',
        label: 'Clé de l’application (API Key)',
        help: 'Dans le portail développeur de X : votre application › Keys and tokens › Consumer Keys.',
      },
      { name: 'appSecret', label: 'Secret de l’application (API Key Secret)', secret: true },
      {
        name: 'accessToken',
        label: 'Jeton d’accès (Access Token)',
        secret: true,
        help: 'Généré pour le compte de la commune, avec les droits « Read and write » (Authentication Tokens › Access Token and Secret).',
      },
      { name: 'accessSecret', label: 'Secret du jeton d’accès (Access Token Secret)', secret: true },
      METRICS_FIELD,
    ],
    connect: (values: Record<string, string>): Promise<ConnectedAccount> => this.login(values),
  };

  private client(creds: XCredentials): TwitterApi {
    return new (twitter().TwitterApi)(
      { appKey: creds.appKey, appSecret: creds.appSecret, accessToken: creds.accessToken, accessSecret: creds.accessSecret },
      this.options.plugins?.length ? { plugins: this.options.plugins } : undefined,
    );
  }

  private async login(values: Record<string, string>): Promise<ConnectedAccount> {
    const creds: XCredentials = {
      appKey: values.appKey ?? '',
      appSecret: values.appSecret ?? '',
      accessToken: values.accessToken ?? '',
      accessSecret: values.accessSecret ?? '',
    };
    const me = await this.client(creds)
      .v2.me({ 'user.fields': ['profile_image_url', 'name'] })
      .catch((err: unknown) => {
        // No answer at all: the page says X cannot be reached, not that it refused the keys.
        throw isXRequestError(err) ? new NetworkUnreachableError() : err;
      });
    const metrics = values.metrics === 'daily' || values.metrics === 'weekly' ? values.metrics : 'off';
    const settings: XSettings = { userId: me.data.id, username: me.data.username, metrics };
    return {
      label: `${me.data.name} (@${me.data.username})`,
      settings: { ...settings },
      credentials: { ...creds },
      avatarUrl: me.data.profile_image_url ?? null,
    };
  }

  private parts(article: PublishableArticle, p: PublicationContext, ports: ChannelPorts): string[] {
    return p.textParts.length ? p.textParts : [`${article.title} ${ports.articleUrl()}`];
  }

  private postUrl(username: string, id: string): string {
    return `https://x.com/${username}/status/${id}`;
  }

  /**
   * One billed read of the account's latest posts: which of the parts from `from` on are already
   * there (in order, stopping at the first missing). Recorded, so that a retry resumes after them.
   */
  private async lookUp(client: TwitterApi, settings: XSettings, parts: string[], from: number, ports: ChannelPorts): Promise<number> {
    const page = await client.v2.userTimeline(settings.userId, { max_results: 20, 'tweet.fields': ['created_at', 'referenced_tweets'] });
    const tweets: TweetV2[] = [...(page.tweets ?? [])];
    let index = from;
    for (; index < parts.length; index++) {
      const found = tweets.find((t) => sameText(parts[index]!, t.text));
      if (!found) break;
      await ports.thread.record(index, found.id, this.postUrl(settings.username, found.id));
    }
    return index;
  }

  async publish(article: PublishableArticle, p: PublicationContext, ports: ChannelPorts): Promise<PublishOutcome> {
    const settings = p.account.settings as unknown as XSettings;
    const client = this.client(p.account.credentials as unknown as XCredentials);
    const parts = this.parts(article, p, ports);
    let uncertain = false;
    let media = false;
    try {
      let done = await ports.thread.sent();
      const state = await ports.state.get();
      // The last attempt ended without a clear answer for this part: did it go out?
      if (typeof state.inFlight === 'number' && state.inFlight === done.length) {
        await this.lookUp(client, settings, parts, done.length, ports);
        done = await ports.thread.sent();
      }
      let previous = done.at(-1)?.externalId ?? null;
      for (let index = done.length; index < parts.length; index++) {
        media = index === 0;
        const mediaId = index === 0 ? await this.uploadPicture(client, ports) : null;
        media = false;
        await ports.state.set({ inFlight: index });
        uncertain = true;
        const res = await client.v2.tweet({
          text: parts[index]!,
          ...(mediaId ? { media: { media_ids: [mediaId] } } : {}),
          ...(previous ? { reply: { in_reply_to_tweet_id: previous } } : {}),
        });
        uncertain = false;
        await ports.thread.record(index, res.data.id, this.postUrl(settings.username, res.data.id));
        previous = res.data.id;
      }
      await ports.state.set({ inFlight: null });
      const first = (await ports.thread.sent())[0]!;
      return outcome.sent(first.externalId, first.url);
    } catch (err) {
      const result = outcomeOf(err, p.account.label, ports.clock.now(), media);
      // A clear refusal means nothing went out: no look-up needed next time.
      if (uncertain && (result.kind === 'permanent' || result.kind === 'rateLimited' || result.kind === 'reconnect')) await ports.state.set({ inFlight: null });
      if (result.kind !== 'permanent') ports.log.warn({ err, publicationId: p.id }, 'x post not accepted');
      return result;
    }
  }

  /** The article's picture with its alt text (X's media upload, then its metadata); null without one. */
  private async uploadPicture(client: TwitterApi, ports: ChannelPorts): Promise<string | null> {
    const [picture] = await ports.images('largest');
    if (!picture) return null;
    const mediaId = await client.v2.uploadMedia(await picture.read(), { media_type: picture.contentType === 'image/png' ? 'image/png' : 'image/jpeg' });
    await client.v2.createMediaMetadata(mediaId, { alt_text: { text: picture.alt.slice(0, 1000) } });
    return mediaId;
  }

  async testConnection(account: AccountContext): Promise<ConnectionCheck> {
    try {
      const me = await this.client(account.credentials as unknown as XCredentials).v2.me({ 'user.fields': ['profile_image_url', 'name'] });
      return { ok: true, name: me.data.name, avatarUrl: me.data.profile_image_url ?? null };
    } catch (err) {
      if (isAccessRevoked(err)) return { ok: false, reconnect: true, message: { code: 'account.reconnect', values: { account: account.label } } };
      return { ok: false, reconnect: false, message: { code: 'network.unreachable' } };
    }
  }

  /** After a crash: one billed read of the account's recent posts. */
  async findSent(p: PublicationContext, ports: ChannelPorts): Promise<{ externalId: string; url: string | null } | null | undefined> {
    const settings = p.account.settings as unknown as XSettings;
    const parts = p.textParts.length ? p.textParts : [];
    // No try: an unanswered look-up goes up, the engine logs it and asks again later.
    const done = await ports.thread.sent();
    const reached = parts.length
      ? await this.lookUp(this.client(p.account.credentials as unknown as XCredentials), settings, parts, done.length, ports)
      : done.length;
    const after = await ports.thread.sent();
    await ports.state.set({ inFlight: null });
    if (after.length && reached >= parts.length) return { externalId: after[0]!.externalId, url: after[0]!.url };
    return null;
  }

  async retract(p: PublicationContext & { externalId: string }, ports: ChannelPorts): Promise<void> {
    const client = this.client(p.account.credentials as unknown as XCredentials);
    const parts = await ports.thread.sent();
    const ids = parts.length ? parts.map((x) => x.externalId) : [p.externalId];
    for (const id of ids.reverse()) await client.v2.deleteTweet(id);
  }

  /**
   * Likes, reposts, replies, quotes, and impressions when X gives them (user context, posts
   * under 30 days). Off unless the account's setting says otherwise: X bills each read.
   */
  async fetchMetrics(p: PublicationContext & { externalId: string }, ports: ChannelPorts): Promise<Record<string, number> | null> {
    const settings = p.account.settings as unknown as XSettings;
    if (!settings.metrics || settings.metrics === 'off') return null;
    const now = ports.clock.now().getTime();
    if (settings.metrics === 'weekly') {
      const last = Number((await ports.state.get()).metricsAt ?? 0);
      if (last && now - last < 7 * DAY) return null;
    }
    const res = await this.client(p.account.credentials as unknown as XCredentials).v2.singleTweet(p.externalId, {
      'tweet.fields': ['public_metrics', 'non_public_metrics'],
    });
    await ports.state.set({ metricsAt: now });
    const pub = res.data?.public_metrics;
    if (!pub) return null;
    const figures: Record<string, number> = { likes: pub.like_count, reposts: pub.retweet_count, replies: pub.reply_count, quotes: pub.quote_count };
    const impressions = res.data.non_public_metrics?.impression_count ?? pub.impression_count;
    if (typeof impressions === 'number') figures.impressions = impressions;
    return figures;
  }
}
