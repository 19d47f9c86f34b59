import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Bluesky's public AppView, the service that counts a post's likes, reposts,
 * replies and quotes (a bare PDS does not): answers `app.bsky.feed.getPosts` as the real one
 * does, with the counts the test sets per post address.
 */
export interface LocalAppView {
  url: string;
  counts: Map<string, { likeCount: number; repostCount: number; replyCount: number; quoteCount: number }>;
  /** Post addresses asked, in order. */
  asked: string[];
  close(): Promise<void>;
}

export function startAppView(): Promise<LocalAppView> {
  const counts: LocalAppView['counts'] = new Map();
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://appview');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || url.pathname !== '/xrpc/app.bsky.feed.getPosts')
      return json(404, { error: 'MethodNotImplemented', message: 'Method Not Implemented' });
    const uris = url.searchParams.getAll('uris');
    if (!uris.length || uris.some((u) => !u.startsWith('at://')))
      return json(400, { error: 'InvalidRequest', message: 'Error: uris must be a list of at-uris' });
    asked.push(...uris);
    // Like the real AppView: unknown (deleted) posts are left out of the answer.
    const posts = uris
      .filter((u) => counts.has(u))
      .map((uri) => ({
        uri,
        cid: 'bafy',
        author: { did: uri.split('/')[2], handle: 'handle.invalid' },
        record: {},
        indexedAt: new Date().toISOString(),
        ...counts.get(uri)!,
      }));
    json(200, { posts });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        counts,
        asked,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
