import { maskIp } from './mask-ip';

/**
 * What a request log may keep. Logs are copied, shipped and kept for weeks, so nothing in them
 * may open an account or identify a reader: no cookie (a session id copied from a log opens the
 * admin), no one-time or signed link, no full client address, no password hash.
 */

// Only these request headers are logged; every other one (cookies, authorization, the dozen
// headers proxies use for the client's address: CF-Connecting-IP, True-Client-IP, X-Client-IP,
// Fastly-Client-IP…, and the Referer, which can hold a signed link) stays out.
const LOGGED_HEADERS = ['host', 'user-agent', 'content-type', 'content-length', 'accept-language'];

// Paths whose segment after the prefix is a secret: an invitation or password link, a new
// address's confirmation link (/admin/account/email/<token>), and the
// newsletter's signed links (a subscriber's page, confirmation, one-click unsubscribe, re-consent:
// server/newsletter/subscriber-links.ts), whose tokens hold dots and would not look like one.
// Express matches routes whatever their case, so /LETTRE/DESABONNER/<token> opens the same page:
// the prefixes are matched whatever their case too.
const SECRET_PATHS = [
  /^(\/admin\/password\/)[^/?#]+/i,
  /^(\/admin\/preview\/)[^/?#]+/i, // an article's private preview link (server/articles/article-previews.ts)
  /^(\/admin\/account\/email\/)(?!cancel(?:[/?#]|$))[^/?#]+/i,
  /^(\/lettre\/(?:abonnement|confirmer|desabonner|reconfirmer)\/)[^/?#]+/i,
  /^(\/rapport-mensuel\/ne-plus-recevoir\/)[^/?#]+/i, // the monthly report's opt-out link (server/stats/stats-report-links.ts)
];

// Query parameters whose value is a secret, whatever the route.
const SECRET_PARAM = /^(token|t|sig|signature|key|secret|code|password|_csrf|state)$/i;

/**
 * A path segment that looks like a random token rather than a slug or an id: long, and mixing
 * upper case, lower case and digits (base64url), or long lower-case hex. Slugs are lower case.
 */
function looksLikeToken(segment: string): boolean {
  if (segment.length < 16 || !/^[A-Za-z0-9_-]+$/.test(segment)) return /^[0-9a-f]{32,}$/i.test(segment);
  return /[A-Z]/.test(segment) && /[a-z]/.test(segment) && /[0-9]/.test(segment);
}

export function scrubUrl(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  for (const re of SECRET_PATHS) path = path.replace(re, '$1[hidden]');
  path = path
    .split('/')
    .map((s) => (looksLikeToken(s) ? '[hidden]' : s))
    .join('/');
  if (!query) return path;
  const params = query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // An undecodable name is logged as sent; its value is still checked below.
    }
    if (eq === -1) return pair;
    const value = pair.slice(eq + 1);
    if (SECRET_PARAM.test(decoded) || looksLikeToken(value)) return `${name}=[hidden]`;
    // A URL carried in a parameter (the login page's `next`) is scrubbed in its turn: it may hold
    // a code or a token of its own.
    let inner = value;
    try {
      inner = decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      return `${name}=[hidden]`;
    }
    if (inner.startsWith('/') || /^https?:\/\//i.test(inner)) {
      const scrubbed = scrubUrl(inner);
      return scrubbed === inner ? pair : `${name}=${encodeURIComponent(scrubbed)}`;
    }
    return pair;
  });
  return `${path}?${params.join('&')}`;
}

interface LoggableRequest {
  method?: string;
  url?: string;
  remoteAddress?: string;
  headers?: Record<string, unknown>;
  /** The Express request, whose `ip` honours the trusted proxies. */
  raw?: { ip?: string };
}

/** pino-http's view of a request: the method, a scrubbed URL, a few headers, the networks only (peer and client). */
export function safeRequest(req: LoggableRequest): object {
  const headers: Record<string, unknown> = {};
  for (const h of LOGGED_HEADERS) if (req.headers?.[h] !== undefined) headers[h] = req.headers[h];
  return { method: req.method, url: scrubUrl(req.url), headers, remoteAddress: maskIp(req.remoteAddress), client: maskIp(req.raw?.ip) };
}

/** pino-http's view of a response: the status only (Set-Cookie and Location stay out). */
export function safeResponse(res: { statusCode?: number }): object {
  return { statusCode: res.statusCode };
}

// knex is told not to inline bindings into error messages (server/db/knex.ts); a hash that
// reaches a message some other way is still cut.
const HASHES = /\$argon2(id|i|d)\$[^\s'",)]+/g;

// A secret parameter quoted in an error message (a network's URL with `access_token=…`).
const SECRET_IN_TEXT = /\b(access_token|refresh_token|token|code|state|sig|signature|password|secret|key)=[^\s&"',)]+/gi;

export function scrubText(text: string): string {
  return text.replace(HASHES, '[hidden]').replace(SECRET_IN_TEXT, '$1=[hidden]');
}

/** pino's error serializer, with the message and stack scrubbed the same way. */
export function safeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const out: Record<string, unknown> = { type: err.name, message: scrubText(err.message), stack: scrubText(err.stack ?? '') };
  for (const k of ['code', 'status', 'statusCode', 'type', 'errno'] as const) {
    const v = (err as unknown as Record<string, unknown>)[k];
    if (v !== undefined && (typeof v === 'string' || typeof v === 'number')) out[k] = v;
  }
  return out;
}
