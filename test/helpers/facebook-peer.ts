import { avatarPng, startPeer, type PeerReply, type PeerRequest } from './peer-http';

/**
 * Facebook's Graph API for one Page on 127.0.0.1, written from Meta's documentation: the Page
 * node (name, picture), debug_token, photo posts (source, caption, alt_text_custom) and link
 * posts, the Page's posts, a post's fields and insights, deletion, and errors with Graph's JSON
 * body {error: {message, type, code, error_subcode, fbtrace_id}} and its usage headers. Tests
 * script the next answers to the posting calls.
 */
export interface GraphScript {
  status: number;
  code: number;
  subcode?: number;
  message?: string;
  /** Usage headers to add (X-App-Usage, X-Business-Use-Case-Usage…). */
  headers?: Record<string, string>;
  /** The post is made, then the connection is cut: a post of uncertain fate. */
  afterCreate?: boolean;
}

export interface PeerPost {
  id: string;
  kind: 'photo' | 'link';
  message: string;
  link: string | null;
  altText: string | null;
  image: { bytes: number; type: string } | null;
  deleted: boolean;
}

export interface FacebookPeer {
  url: string;
  pageId: string;
  pageName: string;
  /** Valid Page tokens, with their expiry (seconds since 1970; 0: never) and kind. */
  tokens: Map<string, { type: 'PAGE' | 'USER'; expiresAt: number; scopes: string[] }>;
  posts: PeerPost[];
  live(): PeerPost[];
  script: GraphScript[];
  /** Whether the token may read insights (read_insights granted). */
  insightsGranted: boolean;
  /** Every request the peer answered, path and method (to count the calls of the budget). */
  calls: { method: string; path: string }[];
  /** While true, a post is made and its answer never comes (a post in flight when Crieur dies). */
  hold: boolean;
  /** Posts after this many are made and held, from inside the peer (0: never; see the Mastodon peer). */
  holdAfter: number;
  /** Posts made whose answer was held. */
  held: number;
  /** What Facebook's picture host serves for the Page's picture (picture.data.url). */
  picture: { bytes: Buffer; type: string };
  /** Graph's "now", for token expiry: the tests' clock. */
  now: () => number;
  close(): Promise<void>;
}

export async function startFacebookPeer(): Promise<FacebookPeer> {
  let seq = 0;
  const peer = {
    url: '',
    pageId: '104857600123',
    pageName: 'Mairie de Villeneuve',
    tokens: new Map<string, { type: 'PAGE' | 'USER'; expiresAt: number; scopes: string[] }>(),
    posts: [] as PeerPost[],
    live: () => peer.posts.filter((x) => !x.deleted),
    script: [] as GraphScript[],
    insightsGranted: true,
    calls: [] as { method: string; path: string }[],
    now: () => Date.now(),
    hold: false,
    holdAfter: 0,
    held: 0,
    picture: { bytes: await avatarPng('#1877f2'), type: 'image/png' },
  };
  const usage = { 'x-app-usage': JSON.stringify({ call_count: 2, total_time: 1, total_cputime: 1 }) };
  const ok = (body: unknown): PeerReply => ({ status: 200, body, headers: usage });
  const fail = (status: number, code: number, message: string, subcode?: number, headers: Record<string, string> = {}): PeerReply => ({
    status,
    body: {
      error: {
        message,
        type: code === 190 ? 'OAuthException' : 'GraphMethodException',
        code,
        ...(subcode ? { error_subcode: subcode } : {}),
        fbtrace_id: `A${++seq}xyz`,
      },
    },
    headers: { ...usage, ...headers },
  });
  const scripted = (s: GraphScript) =>
    s.status === 0 ? { status: 0, body: null } : fail(s.status, s.code, s.message ?? 'Scripted error', s.subcode, s.headers);
  const postUrl = (id: string) => `https://www.facebook.com/${id}`;

  function handle(req: PeerRequest): PeerReply | Promise<PeerReply> {
    // The picture's address Graph gives is a public file on Facebook's picture host (no token).
    if (req.method === 'GET' && req.url.pathname === '/pictures/page.png') return { status: 200, body: undefined, raw: peer.picture };
    const m = /^\/v\d+\.\d+(\/.*)$/.exec(req.url.pathname);
    if (!m) return fail(400, 2500, 'Unknown path components');
    const path = m[1]!;
    peer.calls.push({ method: req.method, path });
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '') || req.url.searchParams.get('access_token') || '';
    const grant = peer.tokens.get(token);
    if (!grant) return fail(400, 190, 'Invalid OAuth access token - Cannot parse access token');
    if (grant.expiresAt && grant.expiresAt * 1000 < peer.now()) return fail(400, 190, 'Error validating access token: Session has expired.', 463);
    const q = req.url.searchParams;
    const f = req.fields;
    const page = `/${peer.pageId}`;

    if (req.method === 'GET' && path === '/debug_token') {
      const t = peer.tokens.get(q.get('input_token') ?? '');
      if (!t) return ok({ data: { is_valid: false, error: { code: 190, message: 'Invalid token' } } });
      return ok({
        data: {
          app_id: '555000111',
          type: t.type,
          application: 'Crieur Villeneuve',
          data_access_expires_at: Math.floor(peer.now() / 1000) + 90 * 86400,
          expires_at: t.expiresAt,
          is_valid: true,
          scopes: t.scopes,
          ...(t.type === 'PAGE' ? { profile_id: peer.pageId } : { user_id: '987654' }),
        },
      });
    }
    if (req.method === 'GET' && path === page) {
      return ok({ id: peer.pageId, name: peer.pageName, picture: { data: { url: `${peer.url}/pictures/page.png`, is_silhouette: false } } });
    }
    if (req.method === 'POST' && (path === `${page}/photos` || path === `${page}/feed`)) {
      const next = peer.script.shift();
      if (next && !next.afterCreate) return scripted(next);
      const photo = path.endsWith('/photos');
      const source = req.files.source;
      if (photo && !source) return fail(400, 324, 'Requires upload file', 2069019);
      const message = String(photo ? (f.caption ?? '') : (f.message ?? ''));
      if (!photo && !message && !f.link) return fail(400, 100, 'Invalid parameter', 1349125);
      const postId = `${peer.pageId}_${9000 + ++seq}`;
      peer.posts.push({
        id: postId,
        kind: photo ? 'photo' : 'link',
        message,
        link: photo ? null : String(f.link ?? ''),
        altText: photo ? String(f.alt_text_custom ?? '') || null : null,
        image: photo && source ? { bytes: source.bytes, type: source.type } : null,
        deleted: false,
      });
      if (next) return scripted(next);
      if (peer.hold || (peer.holdAfter > 0 && peer.posts.length > peer.holdAfter)) {
        peer.held++;
        return new Promise<PeerReply>(() => undefined);
      }
      return ok(photo ? { id: String(7000 + seq), post_id: postId } : { id: postId });
    }
    if (req.method === 'GET' && path === `${page}/posts`) {
      const limit = Number(q.get('limit') ?? 25);
      return ok({
        data: peer
          .live()
          .reverse()
          .slice(0, limit)
          .map((x) => ({ id: x.id, message: x.message, permalink_url: postUrl(x.id), created_time: '2026-03-15T09:00:00+0000' })),
      });
    }
    const insights = /^\/(\d+_\d+)\/insights$/.exec(path);
    if (req.method === 'GET' && insights) {
      if (!peer.insightsGranted) return fail(400, 10, '(#10) Requires read_insights permission');
      return ok({ data: [{ name: q.get('metric'), period: 'lifetime', values: [{ value: 321 }], id: `${insights[1]}/insights/${q.get('metric')}/lifetime` }] });
    }
    const post = /^\/(\d+_\d+)$/.exec(path);
    if (post) {
      const x = peer.posts.find((p) => p.id === post[1] && !p.deleted);
      if (!x) return fail(400, 100, `Unsupported get request. Object with ID '${post[1]}' does not exist`, 33);
      if (req.method === 'DELETE') {
        x.deleted = true;
        return ok({ success: true });
      }
      if (req.method === 'GET') {
        return ok({
          id: x.id,
          reactions: { data: [], summary: { total_count: 12 } },
          comments: { data: [], summary: { total_count: 3 } },
          shares: { count: 5 },
        });
      }
    }
    return fail(400, 100, 'Unsupported request');
  }

  const server = await startPeer(handle);
  return Object.assign(peer, { url: server.url, close: server.close });
}
