import { avatarPng, startPeer, type PeerReply, type PeerRequest } from './peer-http';

/**
 * A Mastodon instance on 127.0.0.1, written from the documented API (docs.joinmastodon.org):
 * app registration, OAuth authorisation (the administrator's approval is the redirect the
 * authorize page answers), verify_credentials, the instance's limits, media that answer 202 and
 * are processed after a few polls, statuses with Idempotency-Key honoured for an hour, and the
 * documented errors (401, 422 with {"error": …}, 429 with X-RateLimit-* headers). Tests script the
 * next answers to POST /api/v1/statuses.
 */
export interface ScriptedAnswer {
  /** 200: answered normally; 0: the connection is cut. */
  status: number;
  error?: string;
  /** Seconds since 1970 when the limit resets (429). */
  resetAt?: Date;
  /** The status is made, then this answer is given (0: the connection is cut): a post of uncertain fate. */
  afterCreate?: boolean;
}

export interface PeerStatus {
  id: string;
  text: string;
  visibility: string;
  language: string;
  inReplyToId: string | null;
  media: { id: string; description: string; bytes: number; type: string }[];
  idempotencyKey: string | null;
  token: string;
  deleted: boolean;
  counts: { favourites: number; reblogs: number; replies: number; quotes: number };
}

export interface MastodonPeer {
  url: string;
  host: string;
  maxCharacters: number;
  apps: { clientId: string; clientSecret: string; redirectUri: string; scopes: string; website: string }[];
  statuses: PeerStatus[];
  /** Statuses still online, in order of creation. */
  live(): PeerStatus[];
  script: ScriptedAnswer[];
  /** Answers to the next POST /api/v2/media (422 with a message, 500…). */
  mediaScript: ScriptedAnswer[];
  /** How many GET /api/v1/media/:id a media answers 206 before it is ready. */
  processingPolls: number;
  mediaPolls: number;
  /** Every POST /api/v1/statuses received, answered or not. */
  statusPosts: number;
  /** While true, a status is made and its answer never comes (a post in flight when Crieur dies). */
  hold: boolean;
  /** Statuses after this many are made and held, from inside the peer (0: never), so that a test
   * finds posts in flight whatever the machine's speed: a hold set from the test could come after
   * the last post. */
  holdAfter: number;
  /** Statuses made whose answer was held. */
  held: number;
  validTokens: Set<string>;
  /** What the instance serves at the accounts' avatar addresses (a PNG; tests put junk or too much there). */
  avatar: { bytes: Buffer; type: string };
  /** The account the next authorisation is given for (the person logged in on the instance). */
  authorizeAs: MastodonAccount;
  revokeAll(): void;
  close(): Promise<void>;
}

export interface MastodonAccount {
  id: string;
  username: string;
  acct: string;
  display_name: string;
}

export const ACCOUNT: MastodonAccount = { id: '109001', username: 'mairie', acct: 'mairie', display_name: 'Mairie de Villeneuve' };
export const OTHER_ACCOUNT: MastodonAccount = { id: '109777', username: 'comite', acct: 'comite', display_name: 'Comité des fêtes' };

export async function startMastodonPeer(): Promise<MastodonPeer> {
  let seq = 0;
  const codes = new Map<string, { clientId: string; redirectUri: string; account: MastodonAccount }>();
  const owners = new Map<string, MastodonAccount>();
  const keys = new Map<string, { status: PeerStatus; at: number }>();
  const media = new Map<string, { id: string; description: string; bytes: number; type: string; polls: number }>();
  const peer = {
    host: '',
    url: '',
    maxCharacters: 500,
    apps: [] as MastodonPeer['apps'],
    statuses: [] as PeerStatus[],
    live: () => peer.statuses.filter((s) => !s.deleted),
    script: [] as ScriptedAnswer[],
    mediaScript: [] as ScriptedAnswer[],
    processingPolls: 1,
    mediaPolls: 0,
    statusPosts: 0,
    hold: false,
    holdAfter: 0,
    held: 0,
    validTokens: new Set<string>(),
    authorizeAs: ACCOUNT,
    avatar: { bytes: await avatarPng('#6364ff'), type: 'image/png' },
    revokeAll: () => peer.validTokens.clear(),
  };
  const err = (status: number, error: string, headers: Record<string, string> = {}): PeerReply => ({ status, body: { error }, headers });
  const scripted = (a: ScriptedAnswer): PeerReply => {
    if (a.status === 0) return { status: 0, body: null };
    if (a.status === 429) {
      const reset = a.resetAt ?? new Date(Date.now() + 300_000);
      return err(429, 'Too many requests', { 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset.toISOString() });
    }
    return err(a.status, a.error ?? 'Scripted error');
  };
  const view = (s: PeerStatus) => ({
    id: s.id,
    url: `${peer.url}/@mairie/${s.id}`,
    uri: `${peer.url}/users/mairie/statuses/${s.id}`,
    // Mastodon answers HTML: links become anchors, & becomes &amp;.
    content: `<p>${s.text.replace(/&/g, '&amp;').replace(/(https?:\/\/[^\s<]+)/g, '<a href="$1" rel="nofollow noopener" target="_blank">$1</a>')}</p>`,
    visibility: s.visibility,
    language: s.language,
    in_reply_to_id: s.inReplyToId,
    media_attachments: s.media.map((m) => ({ id: m.id, type: 'image', description: m.description, url: `${peer.url}/media/${m.id}.jpg` })),
    favourites_count: s.counts.favourites,
    reblogs_count: s.counts.reblogs,
    replies_count: s.counts.replies,
    quotes_count: s.counts.quotes,
  });

  function handle(req: PeerRequest): PeerReply | Promise<PeerReply> {
    const p = req.url.pathname;
    const f = req.fields;
    if (req.method === 'POST' && p === '/api/v1/apps') {
      if (!f.client_name || !f.redirect_uris) return err(422, 'Validation failed: Name can’t be blank, Redirect URI can’t be blank');
      const app = {
        clientId: `cid-${++seq}`,
        clientSecret: `csecret-${seq}`,
        redirectUri: String(f.redirect_uris),
        scopes: String(f.scopes ?? 'read'),
        website: String(f.website ?? ''),
      };
      peer.apps.push(app);
      return {
        status: 200,
        body: {
          id: String(seq),
          name: f.client_name,
          website: f.website,
          redirect_uri: app.redirectUri,
          client_id: app.clientId,
          client_secret: app.clientSecret,
        },
      };
    }
    if (req.method === 'GET' && p === '/oauth/authorize') {
      // The administrator approves on the instance's page; the instance sends them back.
      const q = req.url.searchParams;
      const app = peer.apps.find((a) => a.clientId === q.get('client_id'));
      if (!app || app.redirectUri !== q.get('redirect_uri') || q.get('response_type') !== 'code') return err(400, 'invalid_request');
      const code = `code-${++seq}`;
      codes.set(code, { clientId: app.clientId, redirectUri: app.redirectUri, account: peer.authorizeAs });
      const back = new URL(app.redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      return { status: 302, body: undefined, headers: { location: back.toString() } };
    }
    if (req.method === 'POST' && p === '/oauth/token') {
      const grant = codes.get(String(f.code));
      const app = peer.apps.find((a) => a.clientId === f.client_id && a.clientSecret === f.client_secret);
      if (f.grant_type !== 'authorization_code' || !grant || !app || grant.clientId !== app.clientId || grant.redirectUri !== f.redirect_uri) {
        return { status: 400, body: { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid.' } };
      }
      codes.delete(String(f.code));
      const token = `mtoken-${++seq}`;
      peer.validTokens.add(token);
      owners.set(token, grant.account);
      return { status: 200, body: { access_token: token, token_type: 'Bearer', scope: app.scopes, created_at: Math.floor(Date.now() / 1000) } };
    }
    // Avatars are public media files, served without a token (as from the instance's media host).
    if (req.method === 'GET' && /^\/avatars\/[\w-]+\.png$/.test(p)) return { status: 200, body: undefined, raw: peer.avatar };
    if (req.method === 'GET' && p === '/api/v2/instance') {
      return { status: 200, body: { domain: peer.host, configuration: { statuses: { max_characters: peer.maxCharacters, max_media_attachments: 4 } } } };
    }
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!peer.validTokens.has(token)) return err(401, 'The access token is invalid');
    if (req.method === 'GET' && p === '/api/v1/accounts/verify_credentials') {
      const me = owners.get(token) ?? ACCOUNT;
      return { status: 200, body: { ...me, url: `${peer.url}/@${me.username}`, avatar: `${peer.url}/avatars/${me.username}.png` } };
    }
    if (req.method === 'POST' && p === '/api/v2/media') {
      const next = peer.mediaScript.shift();
      if (next) return scripted(next);
      const file = req.files.file;
      if (!file) return err(422, 'Validation failed: File can’t be blank');
      const m = { id: `m${++seq}`, description: String(f.description ?? ''), bytes: file.bytes, type: file.type, polls: 0 };
      media.set(m.id, m);
      // Large files are processed asynchronously: 202 with a null url.
      return {
        status: peer.processingPolls > 0 ? 202 : 200,
        body: { id: m.id, type: 'image', url: peer.processingPolls > 0 ? null : `${peer.url}/media/${m.id}.jpg`, description: m.description },
      };
    }
    const mediaGet = /^\/api\/v1\/media\/([\w-]+)$/.exec(p);
    if (req.method === 'GET' && mediaGet) {
      const m = media.get(mediaGet[1]!);
      if (!m) return err(404, 'Record not found');
      peer.mediaPolls++;
      m.polls++;
      if (m.polls <= peer.processingPolls) return { status: 206, body: { id: m.id, type: 'image', url: null } };
      return { status: 200, body: { id: m.id, type: 'image', url: `${peer.url}/media/${m.id}.jpg`, description: m.description } };
    }
    if (req.method === 'POST' && p === '/api/v1/statuses') {
      peer.statusPosts++;
      const key = req.headers['idempotency-key'] ? String(req.headers['idempotency-key']) : null;
      const seen = key ? keys.get(`${token} ${key}`) : undefined;
      // The same key within an hour answers the status already made.
      if (seen && Date.now() - seen.at < 3600_000) return { status: 200, body: view(seen.status) };
      const entry = peer.script.shift();
      // A scripted 200 is a normal answer: it lets parts through before a failure.
      const next = entry?.status === 200 ? undefined : entry;
      if (next && !next.afterCreate) return scripted(next);
      const text = String(f.status ?? '');
      if (!text.trim() && !f.media_ids) return err(422, 'Validation failed: Text can’t be blank');
      if ([...new Intl.Segmenter('fr', { granularity: 'grapheme' }).segment(text.replace(/https?:\/\/\S+/g, 'x'.repeat(23)))].length > peer.maxCharacters) {
        return err(422, `Validation failed: Text character limit of ${peer.maxCharacters} exceeded`);
      }
      const ids = ([] as string[]).concat(f.media_ids ?? []);
      const attached = ids.map((id) => media.get(id));
      if (attached.some((m) => !m)) return err(422, 'Validation failed: Media attachments are invalid');
      if (attached.some((m) => m!.polls < peer.processingPolls))
        return err(422, 'Cannot attach files that have not finished processing. Try again in a moment!');
      const status: PeerStatus = {
        id: String(110_000 + ++seq),
        text,
        visibility: String(f.visibility ?? 'public'),
        language: String(f.language ?? ''),
        inReplyToId: f.in_reply_to_id ? String(f.in_reply_to_id) : null,
        media: attached.map((m) => ({ id: m!.id, description: m!.description, bytes: m!.bytes, type: m!.type })),
        idempotencyKey: key,
        token,
        deleted: false,
        counts: { favourites: 4, reblogs: 2, replies: 1, quotes: 0 },
      };
      peer.statuses.push(status);
      if (key) keys.set(`${token} ${key}`, { status, at: Date.now() });
      if (next) return scripted(next);
      if (peer.hold || (peer.holdAfter > 0 && peer.statuses.length > peer.holdAfter)) {
        peer.held++;
        return new Promise<PeerReply>(() => undefined);
      }
      return { status: 200, body: view(status) };
    }
    const one = /^\/api\/v1\/statuses\/(\d+)$/.exec(p);
    if (one) {
      const s = peer.statuses.find((x) => x.id === one[1] && !x.deleted);
      if (!s) return err(404, 'Record not found');
      if (req.method === 'GET') return { status: 200, body: view(s) };
      if (req.method === 'DELETE') {
        s.deleted = true;
        return { status: 200, body: { ...view(s), text: s.text } };
      }
    }
    const list = /^\/api\/v1\/accounts\/(\d+)\/statuses$/.exec(p);
    if (req.method === 'GET' && list) {
      if (list[1] !== ACCOUNT.id) return err(404, 'Record not found');
      const limit = Math.min(40, Number(req.url.searchParams.get('limit') ?? 20));
      return { status: 200, body: peer.live().reverse().slice(0, limit).map(view) };
    }
    return err(404, 'Not found');
  }

  const server = await startPeer(handle);
  return Object.assign(peer, { url: server.url, host: new URL(server.url).host, close: server.close });
}
