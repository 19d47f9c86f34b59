import type { AtpAgent, AtpSessionData, XRPCError } from '@atproto/api';
import { atproto, isXrpcError } from './lazy-libs';
import { ValidationError } from '../../http/errors';
import { outcome, type ChannelPorts, type PublishOutcome } from './channel-adapter';

/**
 * A Bluesky session for one account, and what the network's errors mean for a publication.
 *
 * The account is connected with its handle and an APP password (never the account's own): Crieur
 * keeps the session tokens (accessJwt, ~2 h; refreshJwt, ~2 months) encrypted and the app
 * password as the way to log in again when both have lapsed. The client refreshes an expired
 * access token by itself; each new session is written back through `saveCredentials`.
 */
export const DEFAULT_SERVICE = 'https://bsky.social';

export interface BlueskyCredentials {
  identifier: string;
  appPassword: string;
  session?: AtpSessionData | null;
}

export interface BlueskySettings {
  service: string;
  did: string;
  handle: string;
  /** `image`: the article's picture with its alt text; `card`: a link card with its thumbnail. */
  embed?: 'image' | 'card';
}

/** The app password no longer logs in (revoked in the account's settings): an administrator must reconnect. */
export class ReconnectNeeded extends Error {
  constructor() {
    super('bluesky: the app password was refused');
    this.name = 'ReconnectNeeded';
  }
}

/** The service address as typed by an administrator: https, no path, no trailing slash. */
export function serviceUrl(raw: string | undefined): string {
  const value = (raw ?? '').trim() || DEFAULT_SERVICE;
  let url: URL | null = null;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(value) ? value : `https://${value}`);
  } catch {
    url = null;
  }
  if (!url || !/^https?:$/.test(url.protocol) || !url.hostname) {
    throw new ValidationError('Le formulaire contient des erreurs : corrigez les champs signalés.', {
      service: 'Indiquez l’adresse web du serveur, par exemple https://bsky.social.',
    });
  }
  return url.origin;
}

/** The handle as people write it (@mairie.bsky.social, with or without the @). */
export function normaliseHandle(raw: string): string {
  return raw.trim().replace(/^@/, '').toLowerCase();
}

/** The access token's scope: an app password's session is `com.atproto.appPass` (or `appPassPrivileged`). */
export function sessionScope(session: AtpSessionData): string | null {
  try {
    const payload = JSON.parse(Buffer.from(session.accessJwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { scope?: unknown };
    return typeof payload.scope === 'string' ? payload.scope : null;
  } catch {
    return null;
  }
}

function isAuthError(err: unknown): boolean {
  return isXrpcError(err) && (err.status === 401 || ['ExpiredToken', 'InvalidToken', 'AuthenticationRequired', 'AuthMissing'].includes(err.error));
}

/**
 * A client logged in as the account: the stored session when it still works (refreshed by the
 * client when its access token has expired), else a new login with the app password. Every new
 * session is saved encrypted before it is used.
 */
export async function openSession(settings: BlueskySettings, creds: BlueskyCredentials, ports: Pick<ChannelPorts, 'saveCredentials'>): Promise<AtpAgent> {
  let latest: AtpSessionData | null = creds.session ?? null;
  const pending: Promise<void>[] = [];
  const agent = new (atproto().AtpAgent)({
    service: settings.service,
    persistSession: (event, session) => {
      if ((event === 'create' || event === 'update') && session && session.accessJwt !== latest?.accessJwt) {
        latest = session;
        pending.push(ports.saveCredentials({ ...creds, session }));
      }
    },
  });
  const flush = async () => {
    await Promise.all(pending.splice(0));
  };
  if (creds.session) {
    agent.sessionManager.session = { ...creds.session };
    try {
      // One cheap authenticated call: refreshes the access token through the client when it expired.
      await agent.com.atproto.server.getSession();
      await flush();
      return agent;
    } catch (err) {
      await flush();
      if (!isAuthError(err)) throw err;
    }
  }
  try {
    await agent.login({ identifier: creds.identifier, password: creds.appPassword });
  } catch (err) {
    if (isAuthError(err)) throw new ReconnectNeeded();
    throw err;
  }
  await flush();
  return agent;
}

/**
 * What an error of the network means for the publication: revoked access → reconnect; too many
 * calls → wait until the reset the network gives; the server down or unreachable → later;
 * a refusal of the content → failed, with the network's reason put into French.
 */
export function outcomeOf(err: unknown, account: string, now: Date): PublishOutcome {
  if (err instanceof ReconnectNeeded) return outcome.reconnect('account.reconnect', { account });
  if (!isXrpcError(err)) {
    const name = (err as { name?: string } | null)?.name;
    if (name === 'AbortError' || name === 'TimeoutError') return outcome.transient('network.timeout');
    return outcome.transient('network.unreachable');
  }
  if (isAuthError(err)) return outcome.reconnect('account.reconnect', { account });
  if (err.status === 429) {
    const reset = Number(err.headers?.['ratelimit-reset'] ?? err.headers?.['RateLimit-Reset']);
    const at = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : new Date(now.getTime() + 15 * 60_000);
    return outcome.rateLimited(at.getTime() > now.getTime() ? at : new Date(now.getTime() + 60_000));
  }
  if (err.status === 1) return outcome.transient('network.unreachable');
  if (err.status >= 500 || err.status === 2) return outcome.transient('network.unavailable', { status: err.status });
  return outcome.permanent(refusalCode(err), { detail: detailOf(err.message) });
}

/** The network's own words, short and on one line: they are quoted inside a French sentence. */
export function detailOf(text: unknown): string {
  return String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

function refusalCode(err: XRPCError): string {
  const m = `${err.error} ${err.message}`;
  if (/graphemes|too long|maxLength|maxGraphemes/i.test(m)) return 'bluesky.too_long';
  if (err.status === 413 || /BlobTooLarge|too large|blob|mime/i.test(m)) return 'bluesky.image_refused';
  if (/AccountTakedown|takedown|suspended|deactivated/i.test(m)) return 'bluesky.account_suspended';
  return 'bluesky.refused';
}
