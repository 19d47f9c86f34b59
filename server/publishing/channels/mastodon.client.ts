import { DomainError } from '../../http/errors';
import { sleep } from './social-http';

/**
 * The few calls of the Mastodon API Crieur makes, with plain fetch (docs.joinmastodon.org): app
 * registration and OAuth, the account and the instance's limits, media upload with its
 * processing, statuses. Answers are returned as they come; the adapter turns them into outcomes.
 */

/** The narrowest scopes that cover posting, reading our own posts back and the account's name. */
export const MASTODON_SCOPES = 'read:accounts read:statuses write:media write:statuses';
// Mastodon's own default when an instance does not say.
export const DEFAULT_MAX_CHARACTERS = 500;

const ADDRESS_MESSAGE = 'L’adresse de l’instance n’est pas valable : indiquez son nom, par exemple mastodon.social, ou son adresse en https.';

/**
 * The instance's address as the administrator typed it (`piaille.fr`, `https://piaille.fr/`,
 * `@mairie@piaille.fr`) reduced to its origin. https only, except for this machine itself (tests,
 * a local instance): Crieur never sends tokens over plain http to another host.
 */
export function instanceOrigin(typed: string): string {
  let v = typed.trim().replace(/^@?[^@\s/]+@(?=[^@\s/]+$)/, '');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) v = `https://${v}`;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new DomainError(ADDRESS_MESSAGE, 400);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.username || url.password || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
    throw new DomainError(ADDRESS_MESSAGE, 400);
  }
  return url.origin;
}

export interface MastodonStatus {
  id: string;
  url: string | null;
  uri?: string;
  content: string;
  created_at?: string;
  in_reply_to_id?: string | null;
  favourites_count?: number;
  reblogs_count?: number;
  replies_count?: number;
  quotes_count?: number;
}

export interface MastodonMedia {
  id: string;
  url: string | null;
}

export class MastodonClient {
  constructor(
    readonly origin: string,
    private readonly token: string | null,
    private readonly signal: AbortSignal,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { accept: 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  request(method: string, path: string, body?: Record<string, unknown> | FormData, extra: Record<string, string> = {}): Promise<Response> {
    const json = body && !(body instanceof FormData);
    return fetch(`${this.origin}${path}`, {
      method,
      headers: this.headers(json ? { 'content-type': 'application/json', ...extra } : extra),
      body: body instanceof FormData ? body : body ? JSON.stringify(body) : undefined,
      signal: this.signal,
      redirect: 'error',
    });
  }

  /** Registers Crieur on the instance (one app per connection: its secret stays with the account). */
  async registerApp(callbackUrl: string, website: string): Promise<{ clientId: string; clientSecret: string }> {
    const res = await this.request('POST', '/api/v1/apps', { client_name: 'Crieur', redirect_uris: callbackUrl, scopes: MASTODON_SCOPES, website });
    if (!res.ok) throw new Error(`app registration refused: ${res.status}`);
    const app = (await res.json()) as { client_id?: string; client_secret?: string };
    if (!app.client_id || !app.client_secret) throw new Error('app registration answered without credentials');
    return { clientId: app.client_id, clientSecret: app.client_secret };
  }

  authorizeUrl(clientId: string, callbackUrl: string, state: string): string {
    const q = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: callbackUrl, scope: MASTODON_SCOPES, state });
    return `${this.origin}/oauth/authorize?${q}`;
  }

  async exchangeCode(code: string, app: { clientId: string; clientSecret: string }, callbackUrl: string): Promise<string> {
    const res = await fetch(`${this.origin}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        client_id: app.clientId,
        client_secret: app.clientSecret,
        redirect_uri: callbackUrl,
        scope: MASTODON_SCOPES,
      }),
      signal: this.signal,
      redirect: 'error',
    });
    if (!res.ok) throw new Error(`token exchange refused: ${res.status}`);
    const t = (await res.json()) as { access_token?: string };
    if (!t.access_token) throw new Error('token exchange answered without a token');
    return t.access_token;
  }

  verifyCredentials(): Promise<Response> {
    return this.request('GET', '/api/v1/accounts/verify_credentials');
  }

  /** The instance's limit on a status, in characters; Mastodon's default when it does not say. */
  async maxCharacters(): Promise<number> {
    try {
      const res = await this.request('GET', '/api/v2/instance');
      if (!res.ok) return DEFAULT_MAX_CHARACTERS;
      const v = ((await res.json()) as { configuration?: { statuses?: { max_characters?: unknown } } }).configuration?.statuses?.max_characters;
      return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : DEFAULT_MAX_CHARACTERS;
    } catch {
      return DEFAULT_MAX_CHARACTERS;
    }
  }

  /**
   * Uploads a picture with its description. A 202 means the instance is still processing it: the
   * media is asked again, a bounded number of times, until it has a URL.
   */
  async uploadMedia(
    file: { bytes: Buffer; contentType: string; name: string },
    description: string,
    poll: { everyMs: number; times: number },
  ): Promise<{ ok: true; id: string } | { ok: false; res: Response } | { ok: false; processing: true }> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.contentType }), file.name);
    form.append('description', description);
    const res = await this.request('POST', '/api/v2/media', form);
    if (res.status !== 200 && res.status !== 202) return { ok: false, res };
    let media = (await res.json()) as MastodonMedia;
    for (let i = 0; !media.url && i < poll.times; i++) {
      await sleep(poll.everyMs, this.signal);
      const again = await this.request('GET', `/api/v1/media/${encodeURIComponent(media.id)}`);
      // 206: still processing; anything else but 200 is an answer to give back.
      if (again.status === 206) continue;
      if (!again.ok) return { ok: false, res: again };
      media = (await again.json()) as MastodonMedia;
    }
    return media.url ? { ok: true, id: media.id } : { ok: false, processing: true };
  }

  postStatus(status: { text: string; mediaIds: string[]; visibility: string; inReplyToId: string | null }, idempotencyKey: string): Promise<Response> {
    return this.request(
      'POST',
      '/api/v1/statuses',
      {
        status: status.text,
        media_ids: status.mediaIds,
        language: 'fr',
        visibility: status.visibility,
        ...(status.inReplyToId ? { in_reply_to_id: status.inReplyToId } : {}),
      },
      { 'idempotency-key': idempotencyKey },
    );
  }

  getStatus(id: string): Promise<Response> {
    return this.request('GET', `/api/v1/statuses/${encodeURIComponent(id)}`);
  }

  deleteStatus(id: string): Promise<Response> {
    return this.request('DELETE', `/api/v1/statuses/${encodeURIComponent(id)}`);
  }

  /** The account's latest statuses, newest first (replies included: the parts of a thread). */
  recentStatuses(accountId: string, limit = 40): Promise<Response> {
    return this.request('GET', `/api/v1/accounts/${encodeURIComponent(accountId)}/statuses?limit=${limit}`);
  }
}
