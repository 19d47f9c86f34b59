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
import { DEFAULT_MAX_CHARACTERS, instanceOrigin, MastodonClient, type MastodonStatus } from './mastodon.client';
import { detailOf, refusalCode } from './mastodon.messages';
import { textCapability } from '../post-count';
import { attempt, resetTime } from './social-http';

/**
 * Mastodon, on whichever instance the commune uses. Connecting registers Crieur as an app on the
 * instance and runs its OAuth authorisation; the instance's own length limit and the chosen
 * visibility are kept in the account's settings. Each status carries an Idempotency-Key stable
 * per (publication, part), which the instance honours for about an hour: a retry after a timeout
 * returns the status already made instead of a second one. Beyond that hour, and after a crash,
 * findSent looks at the account's recent statuses.
 */
type Settings = { instance: string; accountId: string; maxCharacters?: number; visibility?: string };
type Creds = { clientId: string; clientSecret: string; accessToken: string };

export const VISIBILITIES = ['public', 'unlisted'] as const;

/**
 * A publication retracted and then sent again is a new round: its statuses get new
 * Idempotency-Keys (the instance would answer the deleted status to the old ones within the hour)
 * and its parts are counted from the first again. Round 0 keeps the plain key.
 */
async function roundOf(ports: ChannelPorts): Promise<number> {
  const r = (await ports.state.get()).round;
  return typeof r === 'number' && Number.isInteger(r) && r > 0 ? r : 0;
}

function idempotencyKey(publicationId: number, round: number, part: number): string {
  return round ? `crieur-${publicationId}-r${round}-${part}` : `crieur-${publicationId}-${part}`;
}

/** The parts this round already posted, in order. */
async function sentParts(ports: ChannelPorts, round: number) {
  return (await ports.thread.sent()).filter((d) => (Number(d.data?.round) || 0) === round).sort((a, b) => a.index - b.index);
}
const RATE_LIMIT_FALLBACK_MS = 5 * 60_000;

const VISIBILITY_FIELD = {
  name: 'visibility',
  label: 'Visibilité des publications',
  help: 'Publique : dans les fils publics de l’instance. Non listée : visible des abonnés et sur le profil seulement.',
  options: [
    { value: 'public', label: 'Publique' },
    { value: 'unlisted', label: 'Non listée' },
  ],
};

export interface MastodonOptions {
  /** The site's address: shown on the instance as the app's website. */
  website: string;
  /** How often, and how many times, a media still processing is asked again. */
  mediaPoll?: { everyMs: number; times: number };
}

export class MastodonAdapter implements ChannelAdapter {
  readonly channel = 'mastodon';
  readonly label = 'Mastodon';
  readonly capabilities = {
    followsArticle: false,
    needsSitePage: true,
    canRetract: true,
    threads: true,
    repeatable: false,
    // Graphemes, every address as 23 characters. Mastodon's default limit; each account's
    // instance sets its own (textFor).
    text: textCapability(DEFAULT_MAX_CHARACTERS, 'mastodon'),
    // Mastodon's default limit for pictures is 16 MB; the article's largest JPEG is far below.
    images: { max: 1, maxBytes: 16 * 1024 * 1024 },
    // Favourites and boosts come in over a day or two; four times a day is plenty.
    metricsEveryMs: 6 * 3600_000,
    reportsImpressions: false,
  };
  private readonly poll: { everyMs: number; times: number };

  constructor(private readonly opts: MastodonOptions) {
    this.poll = opts.mediaPoll ?? { everyMs: 1000, times: 30 };
  }

  /** The limit of the account's own instance, read when it was connected. */
  textFor(account: Pick<AccountContext, 'settings'>) {
    const v = account.settings.maxCharacters;
    return textCapability(typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : DEFAULT_MAX_CHARACTERS, 'mastodon');
  }

  /** The visibility is the account's setting, changed on its settings page without reconnecting. */
  readonly settingsFields = [VISIBILITY_FIELD];

  /** The instance and the account's id there: reconnecting must name the same account. */
  identityOf(settings: Record<string, unknown>): string | null {
    return settings.instance && settings.accountId ? `${String(settings.instance)} ${String(settings.accountId)}` : null;
  }

  readonly connect = {
    kind: 'oauth' as const,
    fields: [
      {
        name: 'instance',
        label: 'Adresse de l’instance Mastodon',
        help: 'Le serveur où se trouve le compte de la commune, par exemple mastodon.social ou piaille.fr.',
      },
      VISIBILITY_FIELD,
    ],
    start: async (values: Record<string, string>, callbackUrl: string, state: string, signal: AbortSignal) => {
      const origin = instanceOrigin(values.instance ?? '');
      const visibility = (VISIBILITIES as readonly string[]).includes(values.visibility ?? '') ? values.visibility : 'public';
      const client = new MastodonClient(origin, null, signal);
      const app = await client.registerApp(callbackUrl, this.opts.website);
      return { redirectUrl: client.authorizeUrl(app.clientId, callbackUrl, state), pending: { origin, visibility, ...app } };
    },
    finish: async (query: Record<string, string>, pending: Record<string, unknown>, callbackUrl: string, signal: AbortSignal): Promise<ConnectedAccount> => {
      if (!query.code) throw new Error('authorization answered without a code');
      const origin = String(pending.origin);
      const app = { clientId: String(pending.clientId), clientSecret: String(pending.clientSecret) };
      const token = await new MastodonClient(origin, null, signal).exchangeCode(query.code, app, callbackUrl);
      const client = new MastodonClient(origin, token, signal);
      const res = await client.verifyCredentials();
      if (!res.ok) throw new Error(`account refused: ${res.status}`);
      const me = (await res.json()) as { id: string; username: string; avatar?: string };
      return {
        label: `@${me.username}@${new URL(origin).host}`,
        settings: { instance: origin, accountId: String(me.id), maxCharacters: await client.maxCharacters(), visibility: pending.visibility ?? 'public' },
        credentials: { ...app, accessToken: token },
        avatarUrl: me.avatar ?? null,
      };
    },
  };

  private client(account: AccountContext, signal: AbortSignal): MastodonClient {
    const s = account.settings as Settings;
    return new MastodonClient(s.instance, (account.credentials as Creds | null)?.accessToken ?? null, signal);
  }

  async publish(article: PublishableArticle, p: PublicationContext, ports: ChannelPorts, signal: AbortSignal): Promise<PublishOutcome> {
    const settings = p.account.settings as Settings;
    const client = this.client(p.account, signal);
    const parts = p.textParts.length ? p.textParts : [`${article.title} ${ports.articleUrl()}`];
    const round = await roundOf(ports);
    const done = await sentParts(ports, round);
    let previous = done.at(-1)?.externalId ?? null;
    let first = done.find((d) => d.index === 0) ?? null;

    for (let i = done.length; i < parts.length; i++) {
      const mediaIds: string[] = [];
      if (i === 0) {
        const uploaded = await this.uploadPicture(client, ports, p);
        if (typeof uploaded !== 'string' && uploaded !== null) return uploaded;
        if (uploaded) mediaIds.push(uploaded);
      }
      const sent = await attempt(() =>
        client.postStatus(
          { text: parts[i] as string, mediaIds, visibility: settings.visibility ?? 'public', inReplyToId: previous },
          idempotencyKey(p.id, round, i),
        ),
      );
      if (!sent.ok) return sent.outcome;
      const res = sent.value;
      if (!res.ok) return this.failure(res, p, ports, false);
      const status = (await res.json()) as MastodonStatus;
      // Recorded before the next part: a retry resumes after it, replying to it.
      await ports.thread.record(i, status.id, status.url ?? null, { round });
      previous = status.id;
      if (i === 0) first = { index: 0, externalId: status.id, url: status.url ?? null, data: {} };
    }
    if (!first) return outcome.permanent('mastodon.refused', { detail: 'no status' });
    return outcome.sent(first.externalId, first.url);
  }

  /** The article's picture with its description: the media id, null without a picture, or why not. */
  private async uploadPicture(client: MastodonClient, ports: ChannelPorts, p: PublicationContext): Promise<string | null | PublishOutcome> {
    const [image] = await ports.images('largest');
    if (!image) return null;
    if (!image.alt.trim()) return outcome.permanent('mastodon.no_alt');
    const file = { bytes: await image.read(), contentType: image.contentType, name: 'image.jpg' };
    const up = await attempt(() => client.uploadMedia(file, image.alt, this.poll));
    if (!up.ok) return up.outcome;
    if (up.value.ok) return up.value.id;
    if ('processing' in up.value) return outcome.transient('mastodon.media_processing');
    return this.failure(up.value.res, p, ports, true);
  }

  /** An answer that is not a success, as the engine's outcome. */
  private async failure(res: Response, p: PublicationContext, ports: ChannelPorts, forMedia: boolean): Promise<PublishOutcome> {
    if (res.status === 401 || res.status === 403) return outcome.reconnect('account.reconnect', { account: p.account.label });
    if (res.status === 429) return outcome.rateLimited(resetTime(res.headers.get('x-ratelimit-reset'), ports.clock.now(), RATE_LIMIT_FALLBACK_MS));
    if (res.status >= 500) return outcome.transient('network.unavailable', { status: res.status });
    const body = (await res.json().catch(() => ({}))) as { error?: unknown };
    const detail = detailOf(body.error) || `HTTP ${res.status}`;
    // A status that names a media still processing: the same post works a moment later.
    if (res.status === 422 && /processing|processed/i.test(detail)) return outcome.transient('mastodon.media_processing');
    if (res.status === 422) return outcome.permanent(refusalCode(detail, forMedia), { detail });
    return outcome.permanent('network.refused', { status: res.status });
  }

  async testConnection(account: AccountContext, _ports: unknown, signal: AbortSignal): Promise<ConnectionCheck> {
    const res = await this.client(account, signal).verifyCredentials();
    if (res.status === 401 || res.status === 403)
      return { ok: false, reconnect: true, message: { code: 'account.reconnect', values: { account: account.label } } };
    if (!res.ok) return { ok: false, reconnect: false, message: { code: 'network.unavailable', values: { status: res.status } } };
    const me = (await res.json()) as { username: string; display_name?: string; avatar?: string };
    const handle = `@${me.username}@${new URL((account.settings as Settings).instance).host}`;
    return { ok: true, name: me.display_name ? `${me.display_name} (${handle})` : handle, avatarUrl: me.avatar ?? null };
  }

  /**
   * After a crash: which parts are on the account already? The first is the status carrying the
   * article's link, each next one the status replying to the one before. Every part found is
   * recorded; all found means sent, some missing means sent again from the first missing one
   * (null), no answer means unknown (a person decides).
   */
  async findSent(p: PublicationContext, ports: ChannelPorts, signal: AbortSignal): Promise<{ externalId: string; url: string | null } | null | undefined> {
    const settings = p.account.settings as Settings;
    const res = await this.client(p.account, signal).recentStatuses(settings.accountId);
    // Unanswered is not "cannot tell": the engine asks again later.
    if (!res.ok) throw new Error(`Mastodon answered ${res.status} to the look-up`);
    const statuses = (await res.json()) as MastodonStatus[];
    const round = await roundOf(ports);
    const recorded = await sentParts(ports, round);
    let first = recorded.find((r) => r.index === 0) ?? null;
    if (!first) {
      const link = ports.articleUrl();
      // The oldest status with the link (statuses come newest first).
      const found = statuses.filter((s) => s.content.replace(/&amp;/g, '&').includes(link)).at(-1);
      if (!found) return null;
      await ports.thread.record(0, found.id, found.url ?? null, { round });
      first = { index: 0, externalId: found.id, url: found.url ?? null, data: {} };
    }
    let previous = recorded.at(-1)?.externalId ?? first.externalId;
    for (let i = Math.max(1, recorded.length); i < Math.max(1, p.textParts.length); i++) {
      const next = statuses.find((s) => s.in_reply_to_id === previous);
      if (!next) return null;
      await ports.thread.record(i, next.id, next.url ?? null, { round });
      previous = next.id;
    }
    return { externalId: first.externalId, url: first.url };
  }

  async fetchMetrics(p: PublicationContext & { externalId: string }, _ports: ChannelPorts, signal: AbortSignal): Promise<ChannelMetrics | null> {
    const res = await this.client(p.account, signal).getStatus(p.externalId);
    if (!res.ok) return null;
    const s = (await res.json()) as MastodonStatus;
    const figures: ChannelMetrics = { favourites: s.favourites_count ?? 0, reblogs: s.reblogs_count ?? 0, replies: s.replies_count ?? 0 };
    if (typeof s.quotes_count === 'number') figures.quotes = s.quotes_count;
    return figures;
  }

  /** Deletes every part of the post; one already gone counts as deleted. */
  async retract(p: PublicationContext & { externalId: string }, ports: ChannelPorts, signal: AbortSignal): Promise<void> {
    const client = this.client(p.account, signal);
    const round = await roundOf(ports);
    const parts = (await sentParts(ports, round)).map((s) => s.externalId);
    const ids = [...new Set([...parts.reverse(), p.externalId])];
    for (const id of ids) {
      const res = await client.deleteStatus(id);
      if (!res.ok && res.status !== 404) throw new Error(`Mastodon refused the deletion: ${res.status}`);
    }
    // Posting it again later (Renvoyer) is a new round: new keys, parts counted afresh.
    await ports.state.set({ round: round + 1 });
  }
}
