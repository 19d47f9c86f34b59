import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AtpAgent } from '@atproto/api';
import * as pds from '@atproto/pds';
import { Database as PlcDatabase, PlcServer } from '@did-plc/server';
import sharp from 'sharp';

/**
 * A REAL Bluesky Personal Data Server (@atproto/pds, the software bsky.social runs), with an
 * in-memory identity directory (@did-plc/server's mock database), both bound to 127.0.0.1 on free
 * ports. About 250 MB and a few seconds to load: start one per test file, in beforeAll.
 *
 * A bare PDS has no AppView: the like/repost counts come from test/helpers/bluesky-appview.ts.
 */
export interface LocalPds {
  url: string;
  /** The account the tests post with. */
  handle: string;
  did: string;
  password: string;
  /** An app password created on the PDS, as a commune's administrator does in Bluesky's settings. */
  appPassword: string;
  /** A logged-in client of the account, to read back what Crieur posted. */
  agent: AtpAgent;
  /**
   * Answers the next calls to an XRPC method (`com.atproto.repo.createRecord`…) instead of the
   * server, in order: `forward` first lets the server do it and loses its answer (the post exists,
   * Crieur is told it failed); `skip` lets that many calls through untouched first.
   */
  script: { method: string; status: number; headers?: Record<string, string>; body?: unknown; forward?: boolean; skip?: number }[];
  /** XRPC methods called through the front door, in order. */
  calls: string[];
  /** While true, a post is stored by the server but its answer never comes (in flight when a test kills Crieur). */
  hold: boolean;
  /** Posts stored and left unanswered. */
  held: number;
  /** Once this many posts went through the door, the next ones are held as above (0: never). */
  holdAfter: number;
  /** The app password is revoked on the PDS (the commune removed it in its settings). */
  revokeAppPassword(): Promise<void>;
  /** Every post of the account, newest first, as stored records. */
  posts(): Promise<{ uri: string; rkey: string; value: Record<string, unknown> }[]>;
  close(): Promise<void>;
}

/** A secp256k1 private key as hex, as the PDS wants its PLC rotation key. */
function k256Hex(): string {
  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  const jwk = privateKey.export({ format: 'jwk' });
  return Buffer.from(String(jwk.d), 'base64url').toString('hex');
}

function listenLocal(app: { listen: (port: number, host: string) => http.Server }): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1');
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/**
 * The door Crieur knocks at: forwards every request to the PDS, except those the test scripted
 * (a 429 with its reset, a 503, an answer lost after the server did the work).
 */
function frontDoor(
  port: number,
  backend: () => number,
  script: LocalPds['script'],
  calls: string[],
  state: { hold: boolean; held: number; holdAfter: number; passed: number },
): Promise<http.Server> {
  const forward = (req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const out = http.request(
        { host: '127.0.0.1', port: backend(), method: req.method, path: req.url, headers: { ...req.headers, host: `localhost:${port}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = /^\/xrpc\/([\w.]+)/.exec(req.url ?? '')?.[1] ?? '';
      calls.push(method);
      const scripted = script.findIndex((s) => s.method === method);
      let step = scripted >= 0 ? script[scripted]! : null;
      if (step?.skip) {
        step.skip--;
        step = null;
      } else if (step) script.splice(scripted, 1);
      const reply = (status: number, headers: Record<string, string | string[] | undefined>, body: Buffer) => {
        const h = { ...headers };
        delete h['transfer-encoding'];
        delete h['content-length'];
        delete h.connection;
        res.writeHead(status, { ...h, 'content-length': String(body.length) });
        res.end(body);
      };
      (async () => {
        if (method === 'com.atproto.repo.createRecord' && (state.hold || (state.holdAfter > 0 && ++state.passed > state.holdAfter))) {
          await forward(req, Buffer.concat(chunks));
          state.held++;
          return; // stored, never answered
        }
        if (step?.forward) await forward(req, Buffer.concat(chunks));
        if (step) {
          const body = Buffer.from(JSON.stringify(step.body ?? { error: 'InternalServerError', message: 'Internal Server Error' }));
          return reply(step.status, { 'content-type': 'application/json', ...(step.headers ?? {}) }, body);
        }
        const answer = await forward(req, Buffer.concat(chunks));
        reply(answer.status, answer.headers, answer.body);
      })().catch(() => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

export async function startLocalPds(handle = 'mairie-villeneuve.test'): Promise<LocalPds> {
  const plc = PlcServer.create({ db: PlcDatabase.mock() });
  const plcServer = await listenLocal(plc.app);
  const plcUrl = `http://127.0.0.1:${(plcServer.address() as AddressInfo).port}`;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-pds-'));
  // The PDS names itself by the front door's port: the addresses it hands out lead through it.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: pds.ServerEnvironment = {
    devMode: true,
    port,
    dataDirectory: dir,
    blobstoreDiskLocation: path.join(dir, 'blobs'),
    didPlcUrl: plcUrl,
    adminPassword: 'admin-pass',
    jwtSecret: crypto.randomBytes(16).toString('hex'),
    serviceHandleDomains: ['.test'],
    plcRotationKeyK256PrivateKeyHex: k256Hex(),
    inviteRequired: false,
    disableSsrfProtection: true,
    // No AppView here: what would be proxied to one fails at once (the adapter falls back to the repo's records).
    bskyAppViewUrl: 'http://127.0.0.1:9/',
    bskyAppViewDid: 'did:example:appview',
    modServiceUrl: 'http://127.0.0.1:9/',
    modServiceDid: 'did:example:mod',
    crawlers: [],
  };
  const server = await pds.PDS.create(pds.envToCfg(env), pds.envToSecrets(env));
  // What PDS.start() does, bound to 127.0.0.1 (it would listen on every interface).
  await server.ctx.sequencer.start();
  const httpServer = await listenLocal(server.app);
  const script: LocalPds['script'] = [];
  const calls: string[] = [];
  const state = { hold: false, held: 0, holdAfter: 0, passed: 0 };
  const front = await frontDoor(port, () => (httpServer.address() as AddressInfo).port, script, calls, state);

  const agent = new AtpAgent({ service: url });
  const password = 'mot-de-passe-du-compte';
  await agent.createAccount({ handle, email: 'communication@villeneuve.test', password });
  const did = agent.session!.did;
  // The profile's picture is a blob of the account's repository, as the Bluesky app uploads it;
  // the PDS serves it at com.atproto.sync.getBlob.
  const picture = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#0085ff' } })
    .png()
    .toBuffer();
  const avatar = (await agent.uploadBlob(picture, { encoding: 'image/png' })).data.blob;
  await agent.com.atproto.repo.createRecord({
    repo: did,
    collection: 'app.bsky.actor.profile',
    rkey: 'self',
    record: { $type: 'app.bsky.actor.profile', displayName: 'Mairie de Villeneuve', avatar },
  });
  const created = await agent.com.atproto.server.createAppPassword({ name: 'Crieur' });
  const appPassword = created.data.password;

  return {
    get hold() {
      return state.hold;
    },
    set hold(v: boolean) {
      state.hold = v;
    },
    get held() {
      return state.held;
    },
    get holdAfter() {
      return state.holdAfter;
    },
    set holdAfter(v: number) {
      state.holdAfter = v;
      state.passed = 0;
    },
    url,
    handle,
    did,
    password,
    appPassword,
    agent,
    script,
    calls,
    async revokeAppPassword() {
      await agent.com.atproto.server.revokeAppPassword({ name: 'Crieur' });
    },
    async posts() {
      const res = await agent.com.atproto.repo.listRecords({ repo: did, collection: 'app.bsky.feed.post', limit: 100 });
      return res.data.records.map((r) => ({ uri: r.uri, rkey: r.uri.split('/').pop()!, value: r.value as Record<string, unknown> }));
    },
    async close() {
      await closeServer(front);
      await closeServer(httpServer);
      await server.destroy();
      await closeServer(plcServer);
      await plc.ctx.db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
