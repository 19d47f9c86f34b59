import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../server/config';
import { createContainer, migrate, type Container } from '../server/container';
import { startLocalPds, type LocalPds } from './helpers/bluesky-pds';
import { testDatabaseUrl } from './helpers/database';
import { freePort, startNode, waitForHttp, type Running } from './helpers/process';
import { SECRET } from './helpers/seed-publications';
import { startXPeer, type XPeer } from './helpers/x-peer';

/**
 * A real Crieur process, killed with SIGKILL while posts are in flight to a real Bluesky PDS and
 * to the X peer (the network stored them, its answers never came), then started again: every
 * article ends with exactly one post on each network, found under its stored record key
 * (Bluesky) or in the account's timeline (X) rather than posted a second time.
 */
jest.setTimeout(150_000);

const ARTICLES = 10;
const BASE_URL = 'http://crieur.test';

let pds: LocalPds;
let x: XPeer;
let dir: string;
let database: { url: string; drop(): Promise<void> };
let c: Container;

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string | (() => Promise<string>)) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${typeof what === 'string' ? what : await what()}`);
}

async function start(extra: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const proc = startNode(
    'server/main.ts',
    {
      DATABASE_URL: database.url,
      DATA_DIR: dir,
      PORT: String(port),
      BASE_URL,
      SECRET_KEY: SECRET,
      CRIEUR_DEMO: 'false',
      JOBS_DISPATCH_CRON: '* * * * * *',
      X_PEER_URL: x.url,
      ...extra,
    },
    [],
    ['./test/helpers/x-redirect.register.ts'],
  );
  await waitForHttp(`http://127.0.0.1:${port}/healthz`);
  return proc;
}

async function statuses(channel: string): Promise<Record<string, number>> {
  const rows: { status: string; n: unknown }[] = await c.db('publications').where({ channel }).select('status').count({ n: '*' }).groupBy('status');
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

const blueskyPosts = async () => (await pds.posts()).filter((p) => String(p.value.text).includes(`${BASE_URL}/actualites/crash-`));

beforeAll(async () => {
  [pds, x] = await Promise.all([startLocalPds(), startXPeer()]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-bsky-x-crash-'));
  database = await testDatabaseUrl(dir);
  c = createContainer(loadConfig({ DATA_DIR: dir, DATABASE_URL: database.url, SECRET_KEY: SECRET, BASE_URL, LOG_LEVEL: 'silent' }), {
    log: pino({ level: 'silent' }),
  });
  await migrate(c);
  const now = new Date();
  // Connected as the connect forms leave them: Bluesky logs in with the app password at its first post.
  const bluesky = await c.accounts.insert(
    {
      channel: 'bluesky',
      label: `@${pds.handle}`,
      settings: { service: pds.url, did: pds.did, handle: pds.handle, embed: 'image' },
      credentials: { identifier: pds.handle, appPassword: pds.appPassword, session: null },
    },
    now,
  );
  const xAccount = await c.accounts.insert(
    {
      channel: 'x',
      label: '@VilleneuveMairie',
      settings: { userId: x.user.id, username: x.user.username, metrics: 'off' },
      credentials: { appKey: x.app.key, appSecret: x.app.secret, accessToken: x.user.token, accessSecret: x.user.tokenSecret },
    },
    now,
  );
  const site = ((await c.db('channel_accounts').where({ channel: 'site' }).first('id')) as { id: number }).id;
  const at = new Date(now.getTime() - 60_000);
  for (let i = 0; i < ARTICLES; i++) {
    const [row] = await c
      .db('articles')
      .insert({
        slug: `crash-${i}`,
        title: `Avis numéro ${i} aux habitants`,
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
    await c.publications.insert({ articleId: article, accountId: bluesky, channel: 'bluesky', textVariant: null, scheduledAt: at }, now);
    await c.publications.insert({ articleId: article, accountId: xAccount, channel: 'x', textVariant: null, scheduledAt: at }, now);
  }
});

afterAll(async () => {
  await c?.close();
  await database?.drop();
  await x?.close();
  await pds?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it('after a SIGKILL with posts in flight, posts each article exactly once on Bluesky and on X and marks every publication sent', async () => {
  // After three posts each, the networks keep storing posts but stop answering: those are in
  // flight when Crieur dies.
  pds.holdAfter = 3;
  x.holdAfter = 3;
  const first = await start();
  try {
    await until(() => pds.held >= 1 && x.held >= 1, 60_000, 'a post in flight on both networks');
  } finally {
    first.child.kill('SIGKILL');
    await first.stop();
  }
  pds.holdAfter = 0;
  x.holdAfter = 0;
  expect(await statuses('bluesky')).toMatchObject({ sending: expect.any(Number) });
  expect(await statuses('x')).toMatchObject({ sending: expect.any(Number) });

  // Rows of the dead process are taken up at once; the timeout only bounds each look-up (half of it), which a loaded machine needs.
  const second = await start({ PUBLISH_SENDING_TIMEOUT_SECONDS: '20' });
  try {
    await until(
      async () => (await statuses('bluesky')).sent === ARTICLES && (await statuses('x')).sent === ARTICLES,
      90_000,
      async () => {
        // Say where each publication stands, so a failure tells a stuck row from a slow machine.
        const rows = await c
          .db('publications')
          .whereIn('channel', ['bluesky', 'x'])
          .whereNot({ status: 'sent' })
          .select('channel', 'status', 'attempts', 'due_at', 'claimed_at', 'last_error');
        return `${ARTICLES} sent on each network; not sent: ${JSON.stringify(rows)}\n${second.output().slice(-4000)}`;
      },
    );
    expect(await statuses('bluesky')).toEqual({ sent: ARTICLES });
    expect(await statuses('x')).toEqual({ sent: ARTICLES });
    const posts = await blueskyPosts();
    const tweets = x.tweets.filter((t) => !t.deleted);
    for (let i = 0; i < ARTICLES; i++) {
      expect(posts.filter((p) => String(p.value.text).includes(`/actualites/crash-${i}?ref=bluesky`))).toHaveLength(1);
      expect(tweets.filter((t) => t.text.includes(`/actualites/crash-${i}?ref=x`))).toHaveLength(1);
    }
    expect(posts).toHaveLength(ARTICLES);
    expect(tweets).toHaveLength(ARTICLES);
    // Each publication points at the very post the network made for it.
    const ids = async (channel: string) => new Set((await c.db('publications').where({ channel }).select('external_id')).map((r) => r.external_id as string));
    expect(await ids('bluesky')).toEqual(new Set(posts.map((p) => p.uri)));
    expect(await ids('x')).toEqual(new Set(tweets.map((t) => t.id)));
  } finally {
    expect(await second.stop()).toBe(0);
  }
});
