import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

/** An account picture as networks serve theirs: a square PNG of one colour, `size` pixels a side. */
export function avatarPng(colour = '#1d4e89', size = 400): Promise<Buffer> {
  return sharp({ create: { width: size, height: size, channels: 3, background: colour } })
    .png()
    .toBuffer();
}

/**
 * What the local network peers (Mastodon, Facebook) share: a node:http server on 127.0.0.1 that
 * reads each request's body whole (JSON, form or multipart, parsed by the platform's own
 * Request), and answers JSON.
 */
export interface PeerRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  /** Form and JSON fields as strings; files as { type, bytes }. */
  fields: Record<string, string | string[]>;
  files: Record<string, { type: string; bytes: number }>;
}

export interface PeerReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Bytes answered as they are (a picture), instead of `body` as JSON. */
  raw?: { bytes: Buffer; type: string };
}

async function parse(req: http.IncomingMessage, raw: Buffer): Promise<Pick<PeerRequest, 'fields' | 'files'>> {
  const type = String(req.headers['content-type'] ?? '');
  const fields: PeerRequest['fields'] = {};
  const files: PeerRequest['files'] = {};
  if (!raw.length) return { fields, files };
  if (type.startsWith('application/json')) {
    for (const [k, v] of Object.entries(JSON.parse(raw.toString('utf8')) as Record<string, unknown>)) {
      fields[k] = Array.isArray(v) ? v.map(String) : String(v);
    }
    return { fields, files };
  }
  const form = await new Request('http://peer.invalid/', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
  for (const [k, v] of form.entries()) {
    if (typeof v === 'string') {
      const key = k.replace(/\[\]$/, '');
      if (k.endsWith('[]')) fields[key] = [...((fields[key] as string[] | undefined) ?? []), v];
      else fields[key] = v;
    } else {
      files[k] = { type: v.type, bytes: (await v.arrayBuffer()).byteLength };
    }
  }
  return { fields, files };
}

export function startPeer(handle: (req: PeerRequest) => PeerReply | Promise<PeerReply>): Promise<{ url: string; close(): Promise<void>; server: http.Server }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      void (async () => {
        let reply: PeerReply;
        try {
          const body = await parse(req, Buffer.concat(chunks));
          reply = await handle({ method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://peer.invalid'), headers: req.headers, ...body });
        } catch (err) {
          reply = { status: 500, body: { error: String(err) } };
        }
        if (reply.status === 0) return res.destroy(); // a connection cut without an answer
        if (reply.raw) {
          res.writeHead(reply.status, { 'content-type': reply.raw.type, 'content-length': String(reply.raw.bytes.length), ...(reply.headers ?? {}) });
          return res.end(reply.raw.bytes);
        }
        res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
        res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      })();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        server,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
