import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server standing in for a social network: the test adapter POSTs each publication
 * here, and the test counts how many times each one arrived.
 */
export interface DeliveryPeer {
  url: string;
  counts: Map<number, number>;
  /** While true, posts are counted but not answered: they stay in flight (a crash test's state). */
  hold: boolean;
  /** While true, look-ups get a 503: the network is up for nobody (it cannot be asked). */
  lookupDown: boolean;
  held(): number;
  /** Answers the posts held so far and holds no more. */
  release(): void;
  total(): number;
  close(): Promise<void>;
}

/**
 * `holdAfter`: posts after that many are held, from inside the peer, so that a test finds posts
 * in flight whatever the machine's speed (a hold set from the test could come after the last one).
 */
export function startDeliveryPeer(opts: { delayMs?: number; holdAfter?: number } = {}): Promise<DeliveryPeer> {
  const counts = new Map<number, number>();
  const state = { hold: false, holdAfter: opts.holdAfter ?? Infinity, arrived: 0, held: [] as (() => void)[], lookupDown: false };
  const server = http.createServer((req, res) => {
    // A network that can be asked whether a post arrived (for adapters that look up after a crash).
    if (req.method === 'GET') {
      if (state.lookupDown) {
        res.writeHead(503).end();
        return;
      }
      const id = Number(new URL(req.url ?? '/', 'http://peer').searchParams.get('publicationId'));
      const found = counts.has(id);
      res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
      res.end(found ? JSON.stringify({ id: `post-${id}`, url: `https://peer.invalid/${id}` }) : '{}');
      return;
    }
    let body = '';
    req.on('data', (d) => (body += String(d)));
    req.on('end', () => {
      const { publicationId } = JSON.parse(body || '{}') as { publicationId?: number };
      if (typeof publicationId === 'number') counts.set(publicationId, (counts.get(publicationId) ?? 0) + 1);
      const answer = () => {
        if (res.destroyed) return; // its sender was killed meanwhile
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `post-${publicationId}`, url: `https://peer.invalid/${publicationId}` }));
      };
      if (state.hold || ++state.arrived > state.holdAfter) {
        state.held.push(answer);
        return;
      }
      setTimeout(answer, opts.delayMs ?? 0);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/deliver`,
        counts,
        get hold() {
          return state.hold;
        },
        set hold(v: boolean) {
          state.hold = v;
          if (!v) state.holdAfter = Infinity;
        },
        held: () => state.held.length,
        release() {
          state.hold = false;
          state.holdAfter = Infinity;
          for (const answer of state.held.splice(0)) answer();
        },
        get lookupDown() {
          return state.lookupDown;
        },
        set lookupDown(v: boolean) {
          state.lookupDown = v;
        },
        total: () => [...counts.values()].reduce((a, b) => a + b, 0),
        close: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
