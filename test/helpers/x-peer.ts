import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import type { ITwitterApiClientPlugin } from 'twitter-api-v2';

/**
 * A local server speaking the X API v2 endpoints Crieur uses, as twitter-api-v2 reaches them:
 * media upload (initialize / append / finalize), media metadata (alt text), tweets (create,
 * delete, read with metrics), users/me and a user's timeline. Every request must carry a valid
 * OAuth 1.0a signature (HMAC-SHA1 over the api.x.com address the client signed) made with a known
 * app and access token; answers carry X's rate-limit headers and its error bodies.
 */
export interface XTweet {
  id: string;
  text: string;
  authorId: string;
  mediaIds: string[];
  replyTo: string | null;
  deleted: boolean;
  metrics: { like_count: number; retweet_count: number; reply_count: number; quote_count: number; impression_count: number };
}

export interface XPeer {
  url: string;
  app: { key: string; secret: string };
  user: { id: string; username: string; name: string; token: string; tokenSecret: string };
  tweets: XTweet[];
  media: Map<string, { bytes: number; total: number; type: string; alt: string | null; finalized: boolean }>;
  /**
   * Answers the next calls to a route ("POST /2/tweets") instead of the server, in order;
   * `forward` first does the work and then answers the scripted status (an answer lost); `skip`
   * lets that many calls through untouched first.
   */
  script: { route: string; status: number; body?: unknown; headers?: Record<string, string>; forward?: boolean; skip?: number }[];
  /** Routes called, in order ("GET /2/users/:id/tweets"…). */
  calls: string[];
  /** While true, a new post is made but never answered (in flight when a test kills Crieur). */
  hold: boolean;
  /** Once this many posts are made, the next ones are held as above (0: never). */
  holdAfter: number;
  /** Posts made and left unanswered. */
  held: number;
  /** What X's picture host serves for the account's profile picture (profile_image_url). */
  picture: { bytes: Buffer; type: string };
  revoke(): void;
  close(): Promise<void>;
}

/** The test-only plugin: sends each signed request to the local peer instead of api.x.com. */
export function redirectTo(peerUrl: string): ITwitterApiClientPlugin {
  const target = new URL(peerUrl);
  const agent = new http.Agent({ keepAlive: false });
  return {
    onBeforeRequest({ computedParams, requestOptions }) {
      computedParams.url.protocol = 'http:';
      computedParams.url.host = target.host;
      requestOptions.agent = agent;
    },
  };
}

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Checks an OAuth 1.0a header against the address the client signed (https://api.x.com…). */
function verifyOAuth(req: http.IncomingMessage, rawBody: Buffer, secrets: (key: string, token: string) => [string, string] | null): boolean {
  const header = String(req.headers.authorization ?? '');
  if (!header.startsWith('OAuth ')) return false;
  const oauth = Object.fromEntries([...header.slice(6).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, decodeURIComponent(m[2]!)]));
  const known = secrets(oauth.oauth_consumer_key ?? '', oauth.oauth_token ?? '');
  if (!known || oauth.oauth_signature_method !== 'HMAC-SHA1') return false;
  const url = new URL(req.url ?? '/', 'https://api.x.com');
  const params: [string, string][] = Object.entries(oauth).filter(([k]) => k !== 'oauth_signature');
  for (const [k, v] of url.searchParams) params.push([k, v]);
  if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(rawBody.toString('utf8'))) params.push([k, v]);
  }
  const normalized = params
    .map(([k, v]) => [enc(k), enc(v)])
    .sort((a, b) => (a[0] === b[0] ? (a[1]! < b[1]! ? -1 : 1) : a[0]! < b[0]! ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const base = [req.method ?? 'GET', enc(`${url.origin}${url.pathname}`), enc(normalized)].join('&');
  const expected = crypto
    .createHmac('sha1', `${enc(known[0])}&${enc(known[1])}`)
    .update(base)
    .digest('base64');
  return expected === oauth.oauth_signature;
}

/** The `media` part of a multipart body (its size is all the peer keeps). */
function multipartMediaBytes(body: Buffer, contentType: string): number {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return 0;
  const sep = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let total = 0;
  let start = body.indexOf(sep);
  while (start >= 0) {
    const next = body.indexOf(sep, start + sep.length);
    if (next < 0) break;
    const part = body.subarray(start + sep.length, next);
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd >= 0 && /name="media"/.test(part.subarray(0, headEnd).toString('utf8'))) total += part.length - headEnd - 4 - 2;
    start = next;
  }
  return total;
}

export async function startXPeer(): Promise<XPeer> {
  const picture = {
    bytes: await sharp({ create: { width: 48, height: 48, channels: 3, background: '#0f1419' } })
      .jpeg()
      .toBuffer(),
    type: 'image/jpeg',
  };
  let seq = 1_860_000_000_000_000_000n;
  const nextId = () => String(++seq);
  const peer = {
    app: { key: 'cle-appli-villeneuve', secret: 'secret-appli-villeneuve' },
    user: {
      id: '1500000000000000001',
      username: 'VilleneuveMairie',
      name: 'Mairie de Villeneuve',
      token: '1500000000000000001-jeton',
      tokenSecret: 'secret-du-jeton',
    },
    tweets: [] as XTweet[],
    media: new Map() as XPeer['media'],
    script: [] as XPeer['script'],
    calls: [] as string[],
    revoked: false,
    hold: false,
    holdAfter: 0,
    held: 0,
    picture,
    revoke() {
      peer.revoked = true;
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://x');
      // X's picture host (pbs.twimg.com): a public file, no signature.
      if (req.method === 'GET' && url.pathname.startsWith('/profile_images/')) {
        res.writeHead(200, { 'content-type': peer.picture.type, 'content-length': String(peer.picture.bytes.length) });
        return res.end(peer.picture.bytes);
      }
      const route = `${req.method} ${url.pathname.replace(/\/\d{6,}(?=\/|$)/g, '/:id')}`;
      peer.calls.push(route);
      const reset = Math.floor(Date.now() / 1000) + 900;
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'x-rate-limit-limit': '100',
          'x-rate-limit-remaining': '99',
          'x-rate-limit-reset': String(reset),
          ...headers,
        });
        res.end(JSON.stringify(body));
      };
      const problem = (status: number, title: string, detail = title) => send(status, { title, detail, type: 'about:blank', status });
      const ok = verifyOAuth(req, raw, (key, token) =>
        key === peer.app.key && token === peer.user.token && !peer.revoked ? [peer.app.secret, peer.user.tokenSecret] : null,
      );
      if (!ok) return problem(401, 'Unauthorized');

      const scriptedAt = peer.script.findIndex((s) => s.route === route);
      let step = scriptedAt >= 0 ? peer.script[scriptedAt]! : null;
      if (step?.skip) {
        step.skip--;
        step = null;
      } else if (step) peer.script.splice(scriptedAt, 1);
      if (step && !step.forward)
        return send(
          step.status,
          step.body ?? { title: 'Service Unavailable', detail: 'Service Unavailable', type: 'about:blank', status: step.status },
          step.headers,
        );
      const json = () =>
        raw.length && String(req.headers['content-type']).includes('json') ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
      let status = 200;
      let answer: unknown;
      const mediaPath = /^\/2\/media\/upload\/(\d+)\/(append|finalize)$/.exec(url.pathname);
      const tweetPath = /^\/2\/tweets\/(\d+)$/.exec(url.pathname);
      const timeline = /^\/2\/users\/(\d+)\/tweets$/.exec(url.pathname);
      if (req.method === 'POST' && url.pathname === '/2/media/upload/initialize') {
        const b = json();
        if (!/^image\/(jpeg|png|gif|webp)$/.test(String(b.media_type))) return problem(400, 'Invalid Request', 'media_type is not supported');
        const id = nextId();
        peer.media.set(id, { bytes: 0, total: Number(b.total_bytes), type: String(b.media_type), alt: null, finalized: false });
        answer = { data: { id, media_key: `3_${id}`, expires_after_secs: 86400 } };
      } else if (req.method === 'POST' && mediaPath) {
        const m = peer.media.get(mediaPath[1]!);
        if (!m) return problem(400, 'Invalid Request', 'media_id not found');
        if (mediaPath[2] === 'append') {
          m.bytes += multipartMediaBytes(raw, String(req.headers['content-type'] ?? ''));
          answer = { data: { expires_at: reset + 86400 } };
        } else {
          if (m.bytes !== m.total) return problem(400, 'Invalid Request', `Segments do not add up to provided total file size (${m.bytes} of ${m.total})`);
          m.finalized = true;
          answer = { data: { id: mediaPath[1], media_key: `3_${mediaPath[1]}`, size: m.bytes, expires_after_secs: 86400 } };
        }
      } else if (req.method === 'POST' && url.pathname === '/2/media/metadata') {
        const b = json() as { id?: string; metadata?: { alt_text?: { text?: string } } };
        const m = peer.media.get(String(b.id));
        if (!m) return problem(400, 'Invalid Request', 'media_id not found');
        m.alt = b.metadata?.alt_text?.text ?? null;
        answer = { data: { id: b.id, associated_metadata: { alt_text: { text: m.alt } } } };
      } else if (req.method === 'POST' && url.pathname === '/2/tweets') {
        const b = json() as { text?: string; media?: { media_ids?: string[] }; reply?: { in_reply_to_tweet_id?: string } };
        const text = String(b.text ?? '');
        if (peer.tweets.some((t) => !t.deleted && t.text === text))
          return problem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.');
        for (const id of b.media?.media_ids ?? []) if (!peer.media.get(id)?.finalized) return problem(400, 'Invalid Request', 'Your media IDs are invalid.');
        const id = nextId();
        peer.tweets.push({
          id,
          text,
          authorId: peer.user.id,
          mediaIds: b.media?.media_ids ?? [],
          replyTo: b.reply?.in_reply_to_tweet_id ?? null,
          deleted: false,
          metrics: { like_count: 0, retweet_count: 0, reply_count: 0, quote_count: 0, impression_count: 0 },
        });
        status = 201;
        answer = { data: { id, text, edit_history_tweet_ids: [id] } };
      } else if (req.method === 'DELETE' && tweetPath) {
        const t = peer.tweets.find((x) => x.id === tweetPath[1] && !x.deleted);
        if (t) t.deleted = true;
        answer = { data: { deleted: !!t } };
      } else if (req.method === 'GET' && tweetPath) {
        const t = peer.tweets.find((x) => x.id === tweetPath[1] && !x.deleted);
        if (!t)
          return send(200, {
            errors: [
              {
                value: tweetPath[1],
                detail: `Could not find tweet with id: [${tweetPath[1]}].`,
                title: 'Not Found Error',
                type: 'https://api.twitter.com/2/problems/resource-not-found',
              },
            ],
          });
        const fields = String(url.searchParams.get('tweet.fields') ?? '').split(',');
        answer = {
          data: {
            id: t.id,
            text: t.text,
            ...(fields.includes('public_metrics') ? { public_metrics: { ...t.metrics, bookmark_count: 0 } } : {}),
            ...(fields.includes('non_public_metrics')
              ? { non_public_metrics: { impression_count: t.metrics.impression_count, url_link_clicks: 0, user_profile_clicks: 0 } }
              : {}),
          },
        };
      } else if (req.method === 'GET' && url.pathname === '/2/users/me') {
        answer = {
          data: {
            id: peer.user.id,
            name: peer.user.name,
            username: peer.user.username,
            // X gives its picture host's address; here, this server's own (the plugin redirects only API calls).
            profile_image_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/profile_images/${peer.user.id}/mairie_normal.jpg`,
          },
        };
      } else if (req.method === 'GET' && timeline) {
        const max = Math.min(100, Math.max(5, Number(url.searchParams.get('max_results') ?? 10)));
        // As X shows them: newest first.
        const data = peer.tweets
          .filter((t) => !t.deleted && t.authorId === timeline[1])
          .reverse()
          .slice(0, max)
          .map((t) => ({
            id: t.id,
            // X's own way: links shortened, & escaped, the picture's link added at the end.
            text: `${t.text.replace(/https?:\/\/\S+/g, 'https://t.co/AbCdEf1234').replace(/&/g, '&amp;')}${t.mediaIds.length ? ' https://t.co/Media12345' : ''}`,
            edit_history_tweet_ids: [t.id],
          }));
        answer = { data, meta: { result_count: data.length, newest_id: data[0]?.id, oldest_id: data.at(-1)?.id } };
      } else {
        return problem(404, 'Not Found Error', `No route for ${route}`);
      }
      if (step)
        return send(
          step.status,
          step.body ?? { title: 'Service Unavailable', detail: 'Service Unavailable', type: 'about:blank', status: step.status },
          step.headers,
        );
      if (route === 'POST /2/tweets' && (peer.hold || (peer.holdAfter > 0 && peer.tweets.length > peer.holdAfter))) {
        peer.held++;
        return; // made, never answered
      }
      send(status, answer);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve(
        Object.assign(peer, {
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          close: () =>
            new Promise<void>((r) => {
              server.closeAllConnections();
              server.close(() => r());
            }),
        }),
      );
    });
  });
}
