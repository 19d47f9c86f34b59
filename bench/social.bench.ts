/**
 * npm run bench:social — posts 200 illustrated articles to one account of each network (Mastodon,
 * Facebook Page, Bluesky, X) on the local peers the tests use, in one run: 800 posts. The peers
 * (and a real Bluesky PDS) run in this process; Crieur runs in a child process
 * (bench/social-worker.ts), so that its CPU time per post and its peak memory exclude the peers'.
 * Then every peer is asked what it holds: each article must be there exactly once per network.
 * Figures are written to the "Social networks" section of docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { loadConfig } from '../server/config';
import { createContainer, migrate } from '../server/container';
import { startLocalPds, type LocalPds } from '../test/helpers/bluesky-pds';
import { testDatabaseUrl } from '../test/helpers/database';
import { startFacebookPeer } from '../test/helpers/facebook-peer';
import { startMastodonPeer } from '../test/helpers/mastodon-peer';
import { startXPeer } from '../test/helpers/x-peer';

const ARTICLES = Number(process.env.BENCH_ARTICLES ?? 200);
const PICTURES = 10;
const BASE_URL = 'http://crieur.test';
const SECRET = 'bench-secret-key-that-is-long-enough-0123456789';
const DOC = path.join(__dirname, '..', 'docs', 'benchmarks.md');
const TARGET_MS = 20;
const TARGET_MB = 300;

/** Every post record of the PDS account, page by page (listRecords answers 100 at most). */
async function allRecords(pds: LocalPds): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const res = await pds.agent.com.atproto.repo.listRecords({ repo: pds.did, collection: 'app.bsky.feed.post', limit: 100, cursor });
    out.push(...res.data.records.map((r) => JSON.stringify(r.value)));
    cursor = res.data.cursor;
    if (!cursor || !res.data.records.length) break;
  }
  return out;
}

async function main(): Promise<void> {
  const [mastodon, facebook, x, pds] = await Promise.all([startMastodonPeer(), startFacebookPeer(), startXPeer(), startLocalPds()]);
  mastodon.processingPolls = 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-bench-social-'));
  const database = await testDatabaseUrl(dir);
  const env = {
    ...process.env,
    DATABASE_URL: database.url,
    DATA_DIR: dir,
    BASE_URL,
    SECRET_KEY: SECRET,
    CRIEUR_DEMO: 'false',
    LOG_LEVEL: 'silent',
    FACEBOOK_GRAPH_URL: facebook.url,
    X_PEER_URL: x.url,
  };
  const c = createContainer(loadConfig(env), { log: pino({ level: 'silent' }) });
  try {
    await migrate(c);
    const now = new Date();
    const at = new Date(now.getTime() - 60_000);
    const token = 'mtoken-bench';
    mastodon.validTokens.add(token);
    facebook.tokens.set('EAAbench', { type: 'PAGE', expiresAt: 0, scopes: ['pages_manage_posts', 'pages_read_engagement'] });
    const accounts = {
      mastodon: await c.accounts.insert(
        {
          channel: 'mastodon',
          label: `@mairie@${mastodon.host}`,
          settings: { instance: mastodon.url, accountId: '1', maxCharacters: mastodon.maxCharacters, visibility: 'public' },
          credentials: { clientId: 'bench', clientSecret: 'bench', accessToken: token },
        },
        now,
      ),
      facebook: await c.accounts.insert(
        {
          channel: 'facebook',
          label: facebook.pageName,
          settings: { pageId: facebook.pageId, pageName: facebook.pageName },
          credentials: { pageToken: 'EAAbench' },
        },
        now,
      ),
      bluesky: await c.accounts.insert(
        {
          channel: 'bluesky',
          label: `@${pds.handle}`,
          settings: { service: pds.url, did: pds.did, handle: pds.handle, embed: 'image' },
          credentials: { identifier: pds.handle, appPassword: pds.appPassword, session: null },
        },
        now,
      ),
      x: await c.accounts.insert(
        {
          channel: 'x',
          label: `@${x.user.username}`,
          settings: { userId: x.user.id, username: x.user.username, metrics: 'off' },
          credentials: { appKey: x.app.key, appSecret: x.app.secret, accessToken: x.user.token, accessSecret: x.user.tokenSecret },
        },
        now,
      ),
    };
    const pictures: number[] = [];
    for (let i = 0; i < PICTURES; i++) {
      const jpeg = await sharp({ create: { width: 1600, height: 900, channels: 3, background: { r: 30 + i * 20, g: 90, b: 160 } } })
        .jpeg()
        .toBuffer();
      const media = await c.media.ingest(jpeg, `photo-${i}.jpg`, { alt: `Photo ${i}` }, { id: null, label: 'bench' });
      await c.media.whenReady(media.id);
      pictures.push(media.id);
    }
    const site = ((await c.db('channel_accounts').where({ channel: 'site' }).first('id')) as { id: number }).id;
    for (let i = 0; i < ARTICLES; i++) {
      const [row] = await c
        .db('articles')
        .insert({
          slug: `bench-a${i}z`,
          title: `Avis numéro ${i} aux habitants`,
          summary: 'Travaux de voirie rue de la Mairie la semaine prochaine : stationnement interdit.',
          body_md: 'Texte',
          body_html: '<p>Texte</p>',
          status: 'published',
          publish_at: at.toISOString(),
          urgent: false,
          hero_media_id: pictures[i % PICTURES],
          hero_alt: `La rue de la Mairie, photo ${i % PICTURES}`,
          created_at: at.toISOString(),
          updated_at: at.toISOString(),
        })
        .returning('id');
      const article = typeof row === 'object' ? (row as { id: number }).id : (row as number);
      await c.publications.insert({ articleId: article, accountId: site, channel: 'site', textVariant: null, scheduledAt: at, status: 'sent' }, now);
      for (const [channel, accountId] of Object.entries(accounts))
        await c.publications.insert({ articleId: article, accountId, channel, textVariant: null, scheduledAt: at }, now);
    }
  } finally {
    await c.close();
  }

  // Crieur, alone in its process.
  const worker = spawn(process.execPath, ['--import', 'tsx', '--import', './test/helpers/x-redirect.register.ts', 'bench/social-worker.ts'], {
    cwd: path.join(__dirname, '..'),
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  worker.stdout.on('data', (d) => (out += String(d)));
  const code = await new Promise<number | null>((r) => worker.on('exit', r));
  if (code !== 0) throw new Error(`the Crieur process failed (${code})`);
  const m = JSON.parse(out.trim().split('\n').at(-1) as string) as { totals: Record<string, number>; elapsedMs: number; cpuMs: number; peakRssMb: number };

  // What each network holds, by article.
  const held: Record<string, string[]> = {
    mastodon: mastodon.live().map((s) => s.text),
    facebook: facebook.live().map((p) => `${p.message} ${p.link ?? ''}`),
    x: x.tweets.filter((t) => !t.deleted).map((t) => t.text),
    bluesky: await allRecords(pds),
  };
  const count = { lost: 0, duplicated: 0, posts: 0 };
  for (const texts of Object.values(held)) {
    count.posts += texts.length;
    for (let i = 0; i < ARTICLES; i++) {
      const n = texts.filter((t) => t.includes(`/actualites/bench-a${i}z`)).length;
      if (n === 0) count.lost++;
      if (n > 1) count.duplicated += n - 1;
    }
  }
  const c2 = createContainer(loadConfig(env), { log: pino({ level: 'silent' }) });
  const byStatus = await c2.publications.countByStatus();
  await c2.close();
  await Promise.all([mastodon.close(), facebook.close(), x.close(), pds.close()]);
  await database.drop();
  fs.rmSync(dir, { recursive: true, force: true });

  const posts = ARTICLES * 4;
  const perSecond = (posts / m.elapsedMs) * 1000;
  const cpuPerPost = m.cpuMs / posts;
  const command = 'npm run bench:social';
  const lines = [
    `## Social networks (bench:social)`,
    ``,
    `\`${command}\` — ${ARTICLES} illustrated articles posted to one account of each network (Mastodon, Facebook Page, Bluesky, X) on the`,
    `local peers of the tests (a real Bluesky PDS; Mastodon, Facebook and X servers written from their documented APIs), in one run:`,
    `${posts} posts. Crieur runs in its own process (SQLite, default concurrency ${loadConfig(env).publishing.concurrency}); the peers in another.`,
    ``,
    `| figure | value | target |`,
    `| --- | --- | --- |`,
    `| posts per second (wall clock, peers included) | ${perSecond.toFixed(1)} | — |`,
    `| Crieur's own CPU time per post (its process only) | ${cpuPerPost.toFixed(1)} ms | < ${TARGET_MS} ms |`,
    `| Crieur's peak memory (VmHWM of its process) | ${m.peakRssMb.toFixed(0)} MB | ≤ ${TARGET_MB} MB |`,
    `| posts found on the networks | ${count.posts} of ${posts} | ${posts} |`,
    `| articles missing on a network / posted twice | ${count.lost} / ${count.duplicated} | 0 / 0 |`,
    `| publications by status | ${Object.entries(byStatus)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} | all sent |`,
    ``,
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), load average ${os
      .loadavg()[0]
      ?.toFixed(2)} at the end.`,
    `Crieur's CPU time covers everything its process did (claims, text composition, image reads, HTTP clients, multipart`,
    `encoding, recording outcomes); the peers' work (JPEG decoding, the PDS's records) is in the other process.`,
    ``,
  ];
  const doc = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '# Benchmarks\n\n';
  const section = lines.join('\n');
  const re = /## Social networks \(bench:social\)\n[\s\S]*?(?=\n## |$)/;
  fs.writeFileSync(DOC, re.test(doc) ? doc.replace(re, section.trimEnd() + '\n') : `${doc.trimEnd()}\n\n${section}`);
  console.log(lines.slice(6, 13).join('\n'));
  console.log(
    `bench:social: ${perSecond.toFixed(1)} posts/s, Crieur ${cpuPerPost.toFixed(1)} ms of CPU per post, peak ${m.peakRssMb.toFixed(0)} MB, ${count.lost} lost, ${count.duplicated} duplicated`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
