import { DomainError } from '../../http/errors';
import {
  outcome,
  type AccountContext,
  type ChannelAdapter,
  type ChannelMetrics,
  type ChannelPorts,
  type ConnectedAccount,
  type ConnectionCheck,
  type PublicationContext,
  type PublishableArticle,
  type PublishOutcome,
} from './channel-adapter';
import { GraphBudget } from './facebook.budget';
import { DEFAULT_GRAPH_URL, GraphClient, graphError, graphFailure } from './facebook.graph';
import { textCapability } from '../post-count';
import { attempt, sleep } from './social-http';

/**
 * A Facebook Page, through the commune's own Meta app: the administrator pastes the Page's id and
 * a long-lived Page token (docs/social.md says how to get one). A post is a photo with its
 * caption and alt text when the article has a picture, otherwise a link post. Graph has no
 * idempotency key: after a crash, findSent looks for the article's link among the Page's latest
 * posts before anything is sent again.
 */
type Settings = { pageId: string; pageName?: string; pictureUrl?: string | null };
type Creds = { pageToken: string };

export interface FacebookOptions {
  /** Graph's address (FACEBOOK_GRAPH_URL); https://graph.facebook.com by default. */
  graphUrl?: string;
  /** Calls for figures per Page and hour, at most; the rest of the ~200 of development mode is left for posting. */
  metricsPerHour?: number;
  /** Pause between two calls for figures, so that a run never bursts. */
  metricsSpacingMs?: number;
}

// Insights refused (no permission, or a metric Graph retired): not asked again for a day.
const INSIGHTS_RETRY_MS = 24 * 3600_000;

export class FacebookAdapter implements ChannelAdapter {
  readonly channel = 'facebook';
  readonly label = 'Page Facebook';
  readonly capabilities = {
    followsArticle: false,
    needsSitePage: true,
    canRetract: true,
    threads: false,
    repeatable: false,
    // Characters as a reader sees them; a Page post may hold 63,206 of them.
    text: textCapability(63_206, 'graphemes'),
    // Graph takes photos under 10 MB (Photo reference); the article's largest JPEG is far below.
    images: { max: 1, maxBytes: 10 * 1024 * 1024 },
    // Twice a day: a month of posts stays far within the development-mode budget.
    metricsEveryMs: 12 * 3600_000,
    reportsImpressions: true,
  };
  private readonly base: string;
  private readonly budget: GraphBudget;
  private readonly spacingMs: number;
  private lastMetricsCall = 0;

  constructor(opts: FacebookOptions = {}) {
    this.base = (opts.graphUrl ?? DEFAULT_GRAPH_URL).replace(/\/+$/, '');
    this.budget = new GraphBudget({ metricsPerHour: opts.metricsPerHour ?? 100, pauseAtPercent: 75 });
    this.spacingMs = opts.metricsSpacingMs ?? 1000;
  }

  /** The Page: a new token must be the same Page's. */
  identityOf(settings: Record<string, unknown>): string | null {
    return settings.pageId ? String(settings.pageId) : null;
  }

  readonly connect = {
    kind: 'form' as const,
    fields: [
      {
        name: 'pageId',
        label: 'Identifiant de la Page',
        help: 'Un nombre, affiché dans « À propos » > « Transparence de la Page » ou dans l’explorateur de l’API Graph.',
      },
      {
        name: 'token',
        label: 'Jeton d’accès de la Page (longue durée)',
        secret: true,
        help: 'Obtenu avec l’application Meta de la commune : voir le guide d’administration.',
      },
    ],
    connect: async (values: Record<string, string>, signal: AbortSignal): Promise<ConnectedAccount> => {
      const pageId = (values.pageId ?? '').trim();
      if (!/^\d{1,30}$/.test(pageId)) throw new DomainError('L’identifiant de la Page est un nombre : copiez-le tel quel depuis Facebook.', 400);
      const token = (values.token ?? '').trim();
      const graph = new GraphClient(this.base, token, signal);
      const res = await graph.call('GET', `/${pageId}`, { fields: 'id,name,picture' });
      if (!res.ok) throw new Error(`page refused: ${res.status} ${(await graphError(res)).code ?? ''}`);
      const page = (await res.json()) as { id: string; name: string; picture?: { data?: { url?: string } } };
      const { expiresAt, dataAccessExpiresAt } = await this.tokenExpiry(graph, token, pageId);
      return {
        label: page.name,
        settings: { pageId, pageName: page.name, pictureUrl: page.picture?.data?.url ?? null },
        credentials: { pageToken: token },
        expiresAt,
        dataAccessExpiresAt,
        avatarUrl: page.picture?.data?.url ?? null,
      };
    },
  };

  /**
   * What Graph says of the pasted token (debug_token): a Page token for this Page, able to post,
   * and when it ends (0: never, as a Page token made from a long-lived user token), and when the
   * app's access to the Page's data ends (data_access_expires_at, about 90 days after the person
   * last authorised the app). A token Graph will not describe is taken as it is: posting will tell.
   */
  private async tokenExpiry(graph: GraphClient, token: string, pageId: string): Promise<{ expiresAt: Date | null; dataAccessExpiresAt: Date | null }> {
    const res = await graph.call('GET', '/debug_token', { input_token: token });
    if (!res.ok) return { expiresAt: null, dataAccessExpiresAt: null };
    const d =
      (
        (await res.json()) as {
          data?: { type?: string; profile_id?: string; expires_at?: number; data_access_expires_at?: number; is_valid?: boolean; scopes?: string[] };
        }
      ).data ?? {};
    if (d.is_valid === false) throw new Error('token is not valid');
    if (d.type && d.type !== 'PAGE') {
      throw new DomainError(
        'Ce jeton est celui d’une personne, pas celui de la Page : suivez l’étape « jeton de la Page » du guide, puis collez le jeton obtenu.',
        400,
      );
    }
    if (d.profile_id && d.profile_id !== pageId) throw new DomainError('Ce jeton appartient à une autre Page que celle indiquée.', 400);
    if (d.scopes && !d.scopes.includes('pages_manage_posts')) {
      throw new DomainError(
        'Ce jeton ne permet pas de publier : accordez l’autorisation pages_manage_posts à l’application, puis créez un nouveau jeton.',
        400,
      );
    }
    const at = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? new Date(v * 1000) : null);
    return { expiresAt: at(d.expires_at), dataAccessExpiresAt: at(d.data_access_expires_at) };
  }

  /** A Graph client for the account; each answer is counted in the Page's budget, shared through the database. */
  private graph(account: AccountContext, ports: Pick<ChannelPorts, 'clock' | 'log' | 'accountState'>, signal: AbortSignal): GraphClient {
    return new GraphClient(this.base, (account.credentials as Creds | null)?.pageToken ?? '', signal, async (res) => {
      try {
        await this.budget.answered(ports.accountState, res.headers, ports.clock.now());
      } catch (err) {
        // The call was made: a budget that could not be written must not turn it into a failure.
        ports.log.warn({ err, accountId: account.id }, 'facebook call budget not recorded');
      }
    });
  }

  async publish(article: PublishableArticle, p: PublicationContext, ports: ChannelPorts, signal: AbortSignal): Promise<PublishOutcome> {
    const page = (p.account.settings as Settings).pageId;
    const graph = this.graph(p.account, ports, signal);
    const text = p.textParts.length ? p.textParts.join('\n\n') : `${article.title} ${ports.articleUrl()}`;
    const [image] = await ports.images('largest');
    const sent = await attempt(async () => {
      if (!image) return graph.call('POST', `/${page}/feed`, {}, new URLSearchParams({ message: text, link: ports.articleUrl() }));
      const form = new FormData();
      form.append('source', new Blob([new Uint8Array(await image.read())], { type: image.contentType }), 'image.jpg');
      form.append('caption', text);
      // Documented on the Photo reference as the image's accessible description.
      form.append('alt_text_custom', image.alt);
      form.append('published', 'true');
      return graph.call('POST', `/${page}/photos`, {}, form);
    });
    if (!sent.ok) return sent.outcome;
    const res = sent.value;
    if (!res.ok) return graphFailure(res, ports.clock.now(), p.account.label);
    const body = (await res.json()) as { id: string; post_id?: string };
    // A photo answers its own id and the post's; figures and deletion are the post's.
    const postId = body.post_id ?? body.id;
    return outcome.sent(postId, `https://www.facebook.com/${postId}`);
  }

  async testConnection(account: AccountContext, ports: Pick<ChannelPorts, 'clock' | 'log' | 'accountState'>, signal: AbortSignal): Promise<ConnectionCheck> {
    const res = await this.graph(account, ports, signal).call('GET', `/${(account.settings as Settings).pageId}`, { fields: 'id,name,picture' });
    if (!res.ok) {
      const failed = await graphFailure(res, ports.clock.now(), account.label);
      if (failed.kind === 'reconnect') return { ok: false, reconnect: true, message: failed.message };
      return { ok: false, reconnect: false, message: 'message' in failed ? failed.message : { code: 'network.unavailable', values: { status: res.status } } };
    }
    const page = (await res.json()) as { name: string; picture?: { data?: { url?: string } } };
    return { ok: true, name: page.name, avatarUrl: page.picture?.data?.url ?? null };
  }

  /** After a crash: the Page's latest posts, looked through for the article's link. */
  async findSent(p: PublicationContext, ports: ChannelPorts, signal: AbortSignal): Promise<{ externalId: string; url: string | null } | null | undefined> {
    const page = (p.account.settings as Settings).pageId;
    const res = await this.graph(p.account, ports, signal).call('GET', `/${page}/posts`, { fields: 'id,message,permalink_url,created_time', limit: '25' });
    // Unanswered is not "cannot tell": the engine asks again later.
    if (!res.ok) throw new Error(`Facebook answered ${res.status} to the look-up`);
    const posts = ((await res.json()) as { data?: { id: string; message?: string; permalink_url?: string }[] }).data ?? [];
    const link = ports.articleUrl();
    const found = posts.find((x) => (x.message ?? '').includes(link));
    return found ? { externalId: found.id, url: found.permalink_url ?? `https://www.facebook.com/${found.id}` } : null;
  }

  /**
   * Reactions, comments and shares from the post's fields; impressions from its insights when
   * the token may read them. Skipped (null, asked again at the next run) when this Page's hour
   * has no room left in the call budget.
   */
  async fetchMetrics(p: PublicationContext & { externalId: string }, ports: ChannelPorts, signal: AbortSignal): Promise<ChannelMetrics | null> {
    const now = ports.clock.now();
    const wantInsights = await this.budget.insightsWanted(ports.accountState, now);
    if (!(await this.budget.allows(ports.accountState, wantInsights ? 2 : 1, now))) return null;
    const graph = this.graph(p.account, ports, signal);
    await this.space(signal);
    const res = await graph.call('GET', `/${p.externalId}`, {
      fields: 'reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares',
    });
    if (!res.ok) return null;
    const post = (await res.json()) as {
      reactions?: { summary?: { total_count?: number } };
      comments?: { summary?: { total_count?: number } };
      shares?: { count?: number };
    };
    const figures: ChannelMetrics = {
      reactions: post.reactions?.summary?.total_count ?? 0,
      comments: post.comments?.summary?.total_count ?? 0,
      shares: post.shares?.count ?? 0,
    };
    if (!wantInsights) return figures;
    await this.space(signal);
    const insights = await graph.call('GET', `/${p.externalId}/insights`, { metric: 'post_impressions' });
    if (!insights.ok) {
      await this.budget.insightsRefused(ports.accountState, new Date(ports.clock.now().getTime() + INSIGHTS_RETRY_MS));
      return figures;
    }
    const value = ((await insights.json()) as { data?: { name: string; values?: { value?: unknown }[] }[] }).data?.find((d) => d.name === 'post_impressions')
      ?.values?.[0]?.value;
    if (typeof value === 'number') figures.impressions = value;
    return figures;
  }

  /** Keeps figures calls `metricsSpacingMs` apart (real time: it paces the network, not the schedule). */
  private async space(signal: AbortSignal): Promise<void> {
    const wait = this.lastMetricsCall + this.spacingMs - Date.now();
    if (wait > 0) await sleep(wait, signal);
    this.lastMetricsCall = Date.now();
  }

  async retract(p: PublicationContext & { externalId: string }, ports: ChannelPorts, signal: AbortSignal): Promise<void> {
    const res = await this.graph(p.account, ports, signal).call('DELETE', `/${p.externalId}`);
    if (res.ok) return;
    const e = await graphError(res);
    // Already deleted on Facebook (an unknown object): nothing left to remove.
    if (res.status === 404 || (e.code === 100 && e.error_subcode === 33)) return;
    throw new Error(`Facebook refused the deletion: ${res.status} ${e.code ?? ''}`);
  }
}
