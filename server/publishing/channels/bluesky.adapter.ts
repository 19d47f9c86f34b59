import type { AtpAgent } from '@atproto/api';
import { atproto, isXrpcError } from './lazy-libs';
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
  type SentPart,
} from './channel-adapter';
import { cardEmbed, imageEmbed } from './bluesky.embed';
import {
  normaliseHandle,
  openSession,
  outcomeOf,
  ReconnectNeeded,
  serviceUrl,
  sessionScope,
  DEFAULT_SERVICE,
  type BlueskyCredentials,
  type BlueskySettings,
} from './bluesky.session';
import { nextTid } from './bluesky.tid';

const POST = 'app.bsky.feed.post';
export const DEFAULT_APPVIEW = 'https://public.api.bsky.app';

export interface BlueskyOptions {
  /** Where likes, reposts, replies and quotes are read (the public AppView; a local stand-in in tests). */
  appViewUrl?: string;
}

type Ref = { uri: string; cid: string };

const EMBED_FIELD = {
  name: 'embed',
  label: 'Sous le texte',
  options: [
    { value: 'image', label: 'L’image de l’article, avec son texte alternatif' },
    { value: 'card', label: 'Une carte de lien vers l’article, avec sa vignette' },
  ],
};

/** The post's address on the Bluesky web app. */
function webUrl(handle: string, rkey: string): string {
  return `https://bsky.app/profile/${handle}/post/${rkey}`;
}

/**
 * Bluesky (AT Protocol), connected with the account's handle and an app password. A post is the
 * engine's text with clickable links and hashtags (facets), and under it the article's picture
 * with its alt text or a link card. A thread's parts reply to the first and to the one before.
 *
 * Nothing is posted twice: each part's record key (a TID) is chosen and stored (ports.state)
 * before its first attempt; a retry, or the look-up after a crash, asks the server for that key
 * first, and a key already taken is an accepted post.
 */
export class BlueskyAdapter implements ChannelAdapter {
  readonly channel = 'bluesky';
  readonly label = 'Bluesky';
  readonly capabilities = {
    followsArticle: false,
    needsSitePage: true,
    canRetract: true,
    threads: true,
    repeatable: false,
    text: textCapability(300, 'graphemes'),
    // The lexicon's maxSize for an image blob; the engine re-encodes a larger picture to fit.
    images: { max: 1, maxBytes: 1_000_000 },
    // Figures of a post move for a day or two: every six hours is plenty, and the AppView is free.
    metricsEveryMs: 6 * 3600_000,
    reportsImpressions: false,
  };
  private readonly appViewUrl: string;

  constructor(options: BlueskyOptions = {}) {
    this.appViewUrl = (options.appViewUrl ?? DEFAULT_APPVIEW).replace(/\/+$/, '');
  }

  /** The account's DID: it stays the same when the handle changes. */
  identityOf(settings: Record<string, unknown>): string | null {
    return settings.did ? String(settings.did) : null;
  }

  /** Picture or link card: changed on the account's settings page without reconnecting. */
  readonly settingsFields = [EMBED_FIELD];

  readonly connect = {
    kind: 'form' as const,
    fields: [
      { name: 'handle', label: 'Identifiant du compte', help: 'Par exemple mairie-villeneuve.bsky.social (sans le @).' },
      {
        name: 'appPassword',
        label: 'Mot de passe d’application',
        secret: true,
        help: 'Créez-le dans Bluesky : Paramètres › Confidentialité et sécurité › Mots de passe d’application. N’indiquez jamais le mot de passe du compte.',
      },
      {
        name: 'service',
        label: 'Adresse du serveur',
        type: 'url' as const,
        value: DEFAULT_SERVICE,
        help: 'https://bsky.social pour un compte hébergé par Bluesky (le cas le plus courant) ; sinon l’adresse du serveur de la commune.',
      },
      EMBED_FIELD,
    ],
    connect: (values: Record<string, string>): Promise<ConnectedAccount> => this.login(values),
  };

  private async login(values: Record<string, string>): Promise<ConnectedAccount> {
    const service = serviceUrl(values.service);
    const identifier = normaliseHandle(values.handle ?? '');
    const agent = new (atproto().AtpAgent)({ service });
    try {
      await agent.login({ identifier, password: values.appPassword ?? '' });
    } catch (err) {
      // No answer at all: the page says the server cannot be reached, not that it refused.
      if (isXrpcError(err) && err.status === 1) throw new NetworkUnreachableError();
      throw err;
    }
    const session = agent.session!;
    // The account's own password would give Crieur every right on the account: refused.
    if (sessionScope(session) === 'com.atproto.access') throw new Error('bluesky: an account password was given instead of an app password');
    const profile = await this.profile(agent, session.did);
    const settings: BlueskySettings = { service, did: session.did, handle: session.handle, embed: values.embed === 'card' ? 'card' : 'image' };
    const credentials: BlueskyCredentials = { identifier, appPassword: values.appPassword ?? '', session };
    return {
      label: profile.name ? `${profile.name} (@${session.handle})` : `@${session.handle}`,
      settings: { ...settings },
      credentials: { ...credentials },
      avatarUrl: profile.avatarUrl,
    };
  }

  /** The display name and avatar: from the AppView through the server, else from the account's own profile record. */
  private async profile(agent: AtpAgent, did: string): Promise<{ name: string | null; avatarUrl: string | null }> {
    try {
      const res = await agent.app.bsky.actor.getProfile({ actor: did });
      return { name: res.data.displayName?.trim() || null, avatarUrl: res.data.avatar ?? null };
    } catch (err) {
      if (!isXrpcError(err) || err.status === 401) throw err;
    }
    // A server without AppView (a self-hosted one): the profile record itself.
    try {
      const rec = await agent.com.atproto.repo.getRecord({ repo: did, collection: 'app.bsky.actor.profile', rkey: 'self' });
      const value = rec.data.value as { displayName?: string; avatar?: { ref?: { toString(): string } } };
      const cid = value.avatar?.ref?.toString();
      const base = (agent.pdsUrl ?? agent.serviceUrl).origin;
      return {
        name: value.displayName?.trim() || null,
        avatarUrl: cid ? `${base}/xrpc/com.atproto.sync.getBlob?did=${encodeURIComponent(did)}&cid=${encodeURIComponent(cid)}` : null,
      };
    } catch {
      return { name: null, avatarUrl: null };
    }
  }

  private settings(account: Pick<AccountContext, 'settings'>): BlueskySettings {
    return account.settings as unknown as BlueskySettings;
  }

  private session(account: AccountContext, ports: Pick<ChannelPorts, 'saveCredentials'>): Promise<AtpAgent> {
    return openSession(this.settings(account), account.credentials as unknown as BlueskyCredentials, ports);
  }

  /** The record keys of the publication's parts, chosen once and stored before any is posted. */
  private async recordKeys(p: PublicationContext, ports: ChannelPorts, count: number): Promise<{ keys: string[]; fresh: boolean }> {
    const state = await ports.state.get();
    const stored = Array.isArray(state.rkeys) ? (state.rkeys as string[]) : [];
    if (stored.length >= count) return { keys: stored, fresh: false };
    const keys = [...stored];
    while (keys.length < count) keys.push(nextTid());
    await ports.state.set({ rkeys: keys });
    ports.log.debug({ publicationId: p.id, parts: count }, 'bluesky record keys chosen');
    return { keys, fresh: stored.length === 0 };
  }

  /** The record at this key, if the server has it (a part already accepted). */
  private async existing(agent: AtpAgent, did: string, rkey: string): Promise<Ref | null> {
    try {
      const res = await agent.com.atproto.repo.getRecord({ repo: did, collection: POST, rkey });
      return { uri: res.data.uri, cid: res.data.cid ?? '' };
    } catch (err) {
      if (isXrpcError(err) && (err.status === 400 || err.status === 404) && /RecordNotFound|not found|Could not locate/i.test(`${err.error} ${err.message}`))
        return null;
      throw err;
    }
  }

  async publish(article: PublishableArticle, p: PublicationContext, ports: ChannelPorts, signal: AbortSignal): Promise<PublishOutcome> {
    const settings = this.settings(p.account);
    const parts = p.textParts.length ? p.textParts : [`${article.title} ${ports.articleUrl()}`];
    try {
      const { keys, fresh } = await this.recordKeys(p, ports, parts.length);
      const agent = await this.session(p.account, ports);
      const did = agent.session?.did ?? settings.did;
      const done = await ports.thread.sent();
      const refOf = (part: SentPart | undefined): Ref | null =>
        part ? { uri: String(part.data.uri ?? part.externalId), cid: String(part.data.cid ?? '') } : null;
      let root = refOf(done[0]);
      let parent = refOf(done.at(-1));
      for (let index = done.length; index < parts.length; index++) {
        if (signal.aborted) return outcome.transient('network.timeout');
        const rkey = keys[index]!;
        // Asked first unless these keys were chosen just now: a previous attempt may have been accepted.
        let ref = fresh ? null : await this.existing(agent, did, rkey);
        if (!ref)
          ref = await this.createPost(
            agent,
            did,
            rkey,
            parts[index]!,
            index === 0 ? await this.embed(agent, article, settings, ports) : null,
            root,
            parent,
            ports,
          );
        await ports.thread.record(index, ref.uri, webUrl(settings.handle, rkey), { uri: ref.uri, cid: ref.cid });
        root ??= ref;
        parent = ref;
      }
      const first = (await ports.thread.sent())[0];
      if (!first) return outcome.permanent('bluesky.refused', { detail: 'no part' });
      return outcome.sent(first.externalId, first.url);
    } catch (err) {
      const result = outcomeOf(err, p.account.label, ports.clock.now());
      if (result.kind !== 'permanent' || !isXrpcError(err)) ports.log.warn({ err, publicationId: p.id }, 'bluesky post not accepted');
      return result;
    }
  }

  private async embed(agent: AtpAgent, article: PublishableArticle, settings: BlueskySettings, ports: ChannelPorts): Promise<Record<string, unknown> | null> {
    // The engine hands the picture within Bluesky's 1 MB (capabilities.images), re-encoded if need be.
    if (settings.embed === 'card') return cardEmbed(agent, article, ports.articleUrl(), (await ports.images('card'))[0]);
    const [picture] = await ports.images('largest');
    // Without a picture, the link card still shows where the post leads.
    return picture ? imageEmbed(agent, picture) : cardEmbed(agent, article, ports.articleUrl(), undefined);
  }

  private async createPost(
    agent: AtpAgent,
    did: string,
    rkey: string,
    text: string,
    embed: Record<string, unknown> | null,
    root: Ref | null,
    parent: Ref | null,
    ports: ChannelPorts,
  ): Promise<Ref> {
    const rt = new (atproto().RichText)({ text });
    // Links and hashtags; an @ in the text (an e-mail address) is left as plain text.
    rt.detectFacetsWithoutResolution();
    const facets = rt.facets?.filter((f) => f.features.every((feat) => feat.$type !== 'app.bsky.richtext.facet#mention'));
    const record: Record<string, unknown> = {
      $type: POST,
      text: rt.text,
      createdAt: ports.clock.now().toISOString(),
      langs: ['fr'],
      ...(facets?.length ? { facets } : {}),
      ...(embed ? { embed } : {}),
      ...(root && parent ? { reply: { root, parent } } : {}),
    };
    try {
      const res = await agent.com.atproto.repo.createRecord({ repo: did, collection: POST, rkey, record });
      return { uri: res.data.uri, cid: res.data.cid };
    } catch (err) {
      // The key is taken: this part was accepted by an attempt whose answer was lost.
      if (isXrpcError(err) && err.status === 400) {
        const found = await this.existing(agent, did, rkey);
        if (found) return found;
      }
      throw err;
    }
  }

  async testConnection(account: AccountContext, ports: Pick<ChannelPorts, 'saveCredentials'>): Promise<ConnectionCheck> {
    try {
      const agent = await this.session(account, ports);
      const profile = await this.profile(agent, agent.session?.did ?? this.settings(account).did);
      return { ok: true, name: profile.name ?? `@${agent.session?.handle ?? this.settings(account).handle}`, avatarUrl: profile.avatarUrl };
    } catch (err) {
      if (err instanceof ReconnectNeeded) return { ok: false, reconnect: true, message: { code: 'account.reconnect', values: { account: account.label } } };
      const result = outcomeOf(err, account.label, new Date());
      if (result.kind === 'reconnect') return { ok: false, reconnect: true, message: result.message };
      return { ok: false, reconnect: false, message: { code: 'network.unreachable' } };
    }
  }

  /** After a crash: the stored record keys, asked of the server. No key stored means nothing was sent. */
  async findSent(p: PublicationContext, ports: ChannelPorts): Promise<{ externalId: string; url: string | null } | null | undefined> {
    const state = await ports.state.get();
    const keys = Array.isArray(state.rkeys) ? (state.rkeys as string[]) : [];
    const done = await ports.thread.sent();
    if (done.length >= Math.max(1, p.textParts.length)) return { externalId: done[0]!.externalId, url: done[0]!.url };
    if (!keys.length) return done[0] ? undefined : null;
    // No try: an unanswered look-up goes up, the engine logs it and asks again later.
    const agent = await this.session(p.account, ports);
    const settings = this.settings(p.account);
    const did = agent.session?.did ?? settings.did;
    // Parts found are recorded, so that the retry resumes after them.
    for (let index = done.length; index < keys.length && index < Math.max(1, p.textParts.length); index++) {
      const ref = await this.existing(agent, did, keys[index]!);
      if (!ref) break;
      await ports.thread.record(index, ref.uri, webUrl(settings.handle, keys[index]!), { uri: ref.uri, cid: ref.cid });
    }
    const after = await ports.thread.sent();
    if (after.length >= Math.max(1, p.textParts.length)) return { externalId: after[0]!.externalId, url: after[0]!.url };
    // Not all out: sent again, the retry starts at the first missing part and never repeats one.
    return null;
  }

  async retract(p: PublicationContext & { externalId: string }, ports: ChannelPorts): Promise<void> {
    const agent = await this.session(p.account, ports);
    const parts = await ports.thread.sent();
    const uris = parts.length ? parts.map((x) => x.externalId) : [p.externalId];
    // The replies first, so that nobody sees a thread without its beginning.
    for (const uri of uris.reverse()) {
      try {
        await agent.deletePost(uri);
      } catch (err) {
        if (!(isXrpcError(err) && err.status === 400)) throw err;
      }
    }
  }

  /** Likes, reposts, replies and quotes, from the public AppView (no account needed, nothing billed). */
  async fetchMetrics(p: PublicationContext & { externalId: string }, _ports: ChannelPorts, signal: AbortSignal): Promise<Record<string, number> | null> {
    if (!p.externalId.startsWith('at://')) return null;
    new (atproto().AtUri)(p.externalId); // refuses a malformed address before it is sent anywhere
    const url = `${this.appViewUrl}/xrpc/app.bsky.feed.getPosts?uris=${encodeURIComponent(p.externalId)}`;
    const res = await fetch(url, { signal, headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`bluesky appview answered ${res.status}`);
    const body = (await res.json()) as { posts?: { likeCount?: number; repostCount?: number; replyCount?: number; quoteCount?: number }[] };
    const post = body.posts?.[0];
    if (!post) return null;
    return { likes: post.likeCount ?? 0, reposts: post.repostCount ?? 0, replies: post.replyCount ?? 0, quotes: post.quoteCount ?? 0 };
  }
}
