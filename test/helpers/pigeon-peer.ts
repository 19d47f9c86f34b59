import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server playing the "Pigeon" network of test/fixtures/pigeon.adapter.ts: OAuth
 * code and refresh-token exchange, an identity endpoint, posts and their figures. Tests script
 * the next answers to POST /api/posts and revoke or expire tokens.
 */
export interface PigeonPeer {
  url: string;
  posts: { id: string; text: string; image: { alt: string; bytes: number } | null; token: string; replyTo: string | null }[];
  /**
   * Status codes the next posts get, in order (200 when empty). 504: the post is kept but the
   * answer is a gateway timeout; 0: the post is kept and the answer never comes (a hung network).
   */
  script: number[];
  /** What GET /api/me/posts answers (200: the recent posts). */
  listStatus: number;
  /** Ids of the posts deleted, in order. */
  deleted: string[];
  /** Status codes the next deletions get, in order (204 when empty). */
  deleteScript: number[];
  validTokens: Set<string>;
  /** The network's clock, in ms (a rate limit's reset is 10 minutes after it): the test's fake clock. */
  now: () => number;
  /** When set, a scripted 503 says when to come back (`Retry-After`, in seconds). */
  retryAfterSeconds: number | null;
  issue(): { access: string; refresh: string };
  /** The commune revoked Crieur's access on the network: no token works any more. */
  revokeAll(): void;
  close(): Promise<void>;
}

export function startPigeonPeer(): Promise<PigeonPeer> {
  let n = 0;
  const refreshTokens = new Set<string>();
  const peer = {
    posts: [] as PigeonPeer['posts'],
    script: [] as number[],
    deleted: [] as string[],
    listStatus: 200,
    deleteScript: [] as number[],
    validTokens: new Set<string>(),
    now: () => Date.now(),
    retryAfterSeconds: null as number | null,
    revokeAll() {
      peer.validTokens.clear();
      refreshTokens.clear();
    },
    issue() {
      n++;
      const t = { access: `access-${n}`, refresh: `refresh-${n}` };
      peer.validTokens.add(t.access);
      refreshTokens.add(t.refresh);
      return t;
    },
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += String(d)));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(json));
      };
      const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      const url = new URL(req.url ?? '/', 'http://pigeon');
      if (req.method === 'POST' && url.pathname === '/oauth/token') {
        if (body.grant_type === 'authorization_code' && body.code === 'good-code') {
          const t = peer.issue();
          return send(200, { access_token: t.access, refresh_token: t.refresh });
        }
        if (body.grant_type === 'refresh_token' && refreshTokens.has(String(body.refresh_token))) {
          refreshTokens.delete(String(body.refresh_token));
          const t = peer.issue();
          return send(200, { access_token: t.access, refresh_token: t.refresh });
        }
        return send(400, { error: 'invalid_grant' });
      }
      if (!peer.validTokens.has(token)) return send(401, { error: 'unauthorized' });
      if (req.method === 'GET' && url.pathname === '/api/me') return send(200, { name: 'Mairie de Villeneuve', avatar: 'https://pigeon.invalid/a.png' });
      if (req.method === 'POST' && url.pathname === '/api/posts') {
        const status = peer.script.shift() ?? 200;
        if (status === 429) return send(429, { error: 'slow down' }, { 'x-ratelimit-reset': String(Math.floor(peer.now() / 1000) + 600) });
        if (status === 503 && peer.retryAfterSeconds !== null) return send(503, { error: 'scripted' }, { 'retry-after': String(peer.retryAfterSeconds) });
        if (status === 202) return send(202, { ticket: `ticket-${peer.posts.length + 1}` });
        if (status !== 200 && status !== 504 && status !== 0) return send(status, { error: 'scripted' });
        const id = `p${peer.posts.length + 1}`;
        const replyTo = typeof body.reply_to === 'string' ? body.reply_to : null;
        if (replyTo && !peer.posts.some((p) => p.id === replyTo)) return send(422, { error: 'reply_to: no such post' });
        peer.posts.push({ id, text: String(body.text), image: (body.image as PigeonPeer['posts'][number]['image']) ?? null, token, replyTo });
        if (status === 504) return send(504, { error: 'gateway timeout' });
        if (status === 0) return; // accepted, but the answer never leaves
        return send(200, { id, url: `https://pigeon.invalid/${id}` });
      }
      if (req.method === 'GET' && url.pathname === '/api/me/posts' && peer.listStatus !== 200) return send(peer.listStatus, { error: 'scripted' });
      if (req.method === 'GET' && url.pathname === '/api/me/posts')
        return send(200, {
          posts: peer.posts
            .filter((p) => p.token === token || peer.validTokens.has(p.token))
            .slice(-20)
            .map((p) => ({ id: p.id, url: `https://pigeon.invalid/${p.id}`, text: p.text })),
        });
      const one = /^\/api\/posts\/(p\d+)$/.exec(url.pathname);
      if (req.method === 'DELETE' && one) {
        const status = peer.deleteScript.shift() ?? 204;
        if (status !== 204) return send(status, { error: 'scripted' });
        const i = peer.posts.findIndex((p) => p.id === one[1]);
        if (i < 0 || peer.deleted.includes(one[1]!)) return send(404, { error: 'not found' });
        peer.deleted.push(one[1]!);
        res.writeHead(204);
        return res.end();
      }
      const stats = /^\/api\/posts\/(p\d+)\/stats$/.exec(url.pathname);
      if (req.method === 'GET' && stats) return send(200, { likes: 3, reposts: 1 });
      send(404, { error: 'not found' });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(
        Object.assign(peer, {
          url: `http://127.0.0.1:${port}`,
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
