import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../server/config';
import { createContainer, migrate, type Container } from '../server/container';
import { testDatabaseUrl } from './helpers/database';
import { startFacebookPeer, type FacebookPeer } from './helpers/facebook-peer';
import { startMastodonPeer, type MastodonPeer } from './helpers/mastodon-peer';
import { freePort, startNode, waitForHttp, type Running } from './helpers/process';
import { SECRET } from './helpers/seed-publications';

/**
 * A real Crieur process, killed with SIGKILL while posts are in flight to a Mastodon instance and
 * to a Facebook Page (the network made them, its answers never came), then started again: every
 * article ends with exactly one post on each network and its publications marked sent, found by
 * looking at the account's recent posts rather than posted a second time. On the database the
 * tests use (SQLite file, or PostgreSQL when DATABASE_URL says so).
 */
const ARTICLES = 20;
const BASE_URL = 'http://crieur.test'; // the same for both processes: the link findSent looks for

let peer: MastodonPeer;
let graph: FacebookPeer;
let dir: string;
let database: { url: string; drop(): Promise<void> };
let c: Container;

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function start(extra: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const proc = startNode('server/main.ts', {
    DATABASE_URL: database.url,
    DATA_DIR: dir,
    PORT: String(port),
    BASE_URL,
    SECRET_KEY: SECRET,
    CRIEUR_DEMO: 'false',
    JOBS_DISPATCH_CRON: '* * * * * *',
    FACEBOOK_GRAPH_URL: graph.url,
    ...extra,
  });
  await waitForHttp(`http://127.0.0.1:${port}/healthz`);
  return proc;
}

async function statuses(channel: string): Promise<Record<string, number>> {
  const rows: { status: string; n: unknown }[] = await c.db('publications').where({ channel }).select('status').count({ n: '*' }).groupBy('status');
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

beforeAll(async () => {
  peer = await startMastodonPeer();
  peer.validTokens.add('mtoken-crash');
  graph = await startFacebookPeer();
  graph.tokens.set('EAAcrash', { type: 'PAGE', expiresAt: 0, scopes: ['pages_manage_posts'] });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-mastodon-crash-'));
  database = await testDatabaseUrl(dir);
  c = createContainer(loadConfig({ DATA_DIR: dir, DATABASE_URL: database.url, SECRET_KEY: SECRET, BASE_URL, LOG_LEVEL: 'silent' }), {
    log: pino({ level: 'silent' }),
  });
  await migrate(c);
  const now = new Date();
  const account = await c.accounts.insert(
    {
      channel: 'mastodon',
      label: `@mairie@${peer.host}`,
      settings: { instance: peer.url, accountId: '109001', maxCharacters: 500, visibility: 'public' },
      credentials: { clientId: 'cid', clientSecret: 'csecret', accessToken: 'mtoken-crash' },
    },
    now,
  );
  const page = await c.accounts.insert(
    { channel: 'facebook', label: graph.pageName, settings: { pageId: graph.pageId, pageName: graph.pageName }, credentials: { pageToken: 'EAAcrash' } },
    now,
  );
  const site = ((await c.db('channel_accounts').where({ channel: 'site' }).first('id')) as { id: number }).id;
  const at = new Date(now.getTime() - 60_000);
  for (let i = 0; i < ARTICLES; i++) {
    const [row] = await c
      .db('articles')
      .insert({
        slug: `crash-${i}`,
        title: `Avis ${i}`,
        summary: 'Résumé',
        body_md: 'Texte',
        body_html: '<p>Texte</p>',
        status: 'published',
        publish_at: at.toISOString(),
        urgent: false,
        created_at: at.toISOString(),
        updated_at: at.toISOString(),
      })
      .returning('id');
    const article = typeof row === 'object' ? (row as { id: number }).id : (row as number);
    await c.publications.insert({ articleId: article, accountId: site, channel: 'site', textVariant: null, scheduledAt: at, status: 'sent' }, now);
    await c.publications.insert({ articleId: article, accountId: account, channel: 'mastodon', textVariant: null, scheduledAt: at }, now);
    await c.publications.insert({ articleId: article, accountId: page, channel: 'facebook', textVariant: null, scheduledAt: at }, now);
  }
});

afterAll(async () => {
  await c.close();
  await database.drop();
  await peer.close();
  await graph.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('after a SIGKILL with posts in flight, posts each article exactly once on each network and marks every publication sent', async () => {
  // After three posts each, the networks keep making posts but stop answering: those are in
  // flight when Crieur dies.
  peer.holdAfter = 3;
  graph.holdAfter = 3;
  const first = await start();
  try {
    await until(async () => peer.held >= 1 && graph.held >= 1, 60_000, 'a post in flight on both networks');
  } finally {
    first.child.kill('SIGKILL');
    await first.stop();
  }
  peer.holdAfter = 0;
  graph.holdAfter = 0;
  expect(await statuses('mastodon')).toMatchObject({ sending: expect.any(Number) });
  expect(await statuses('facebook')).toMatchObject({ sending: expect.any(Number) });

  // Rows of the dead process are taken up at once; the timeout only bounds each look-up (half of it), which a loaded machine needs.
  const second = await start({ PUBLISH_SENDING_TIMEOUT_SECONDS: '20' });
  try {
    await until(
      async () => (await statuses('mastodon')).sent === ARTICLES && (await statuses('facebook')).sent === ARTICLES,
      60_000,
      `${ARTICLES} sent on each network`,
    );
    // None uncertain: each network was asked what it had.
    expect(await statuses('mastodon')).toEqual({ sent: ARTICLES });
    expect(await statuses('facebook')).toEqual({ sent: ARTICLES });
    for (let i = 0; i < ARTICLES; i++) {
      expect(peer.live().filter((s) => s.text.includes(`${BASE_URL}/actualites/crash-${i}?ref=mastodon`))).toHaveLength(1);
      expect(graph.live().filter((x) => x.message.includes(`${BASE_URL}/actualites/crash-${i}?ref=facebook`))).toHaveLength(1);
    }
    expect(peer.live()).toHaveLength(ARTICLES);
    expect(graph.live()).toHaveLength(ARTICLES);
    // Each publication points at the very post the network made for it.
    const ids = async (channel: string) => new Set((await c.db('publications').where({ channel }).select('external_id')).map((r) => r.external_id as string));
    expect(await ids('mastodon')).toEqual(new Set(peer.live().map((s) => s.id)));
    expect(await ids('facebook')).toEqual(new Set(graph.live().map((x) => x.id)));
  } finally {
    expect(await second.stop()).toBe(0);
  }
}, 150_000);
