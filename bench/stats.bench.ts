/**
 * npm run bench:stats — the reach dashboard on a big commune's history: 2,000,000 engagement
 * events over two years (Europe/Paris days), 5,000 articles and 50,000 confirmed subscribers,
 * every past day rolled up into engagement_daily (today's events stay raw, as they are between
 * two nightly rollups). Then the dashboard page (/admin, as an elected member, over real HTTP
 * through the app) is asked BENCH_REQUESTS times in a row for "30 days" and for "12 months",
 * after a warm-up, and the median and 95th percentile times are kept. SQLite, then PostgreSQL
 * (BENCH_DATABASE_URL, by default the throwaway cluster of test/pg/start-postgres.sh).
 *
 * Ingestion: the events are written through the engagement store's bulk path (ingestEvents:
 * the Paris day computed for each, then the repository's multi-row inserts in one transaction,
 * 20,000 events a call), and rolled up by the nightly job's own code (EngagementRollup.rollUp).
 *
 * BENCH_EVENTS scales the data set down for a trial run. Figures go to the "Statistics
 * dashboard" section of docs/benchmarks.md; the headline is printed last.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../server/config';
import { createContainer, migrate, type Container } from '../server/container';
import { createHandler } from '../server/app';
import { hashPassword } from '../server/auth/hashing';
import { dayFormatter } from '../server/audience/audience.days';
import { testDatabaseUrl } from '../test/helpers/database';
import { EngagementQueries } from '../server/engagement/engagement.queries';
import { resolvePeriod } from '../server/stats/stats.period';
import { ARTICLE_KINDS } from '../server/stats/stats.model';
import { EngagementRepository } from '../server/engagement/engagement.repository';
import { ingestEvents } from '../server/engagement/engagement.store';
import type { EngagementEvent } from '../server/engagement/engagement.types';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000_000);
const ARTICLES = 5_000;
const SUBSCRIBERS = 50_000;
const DAYS = 730;
const REQUESTS = Math.max(10, Number(process.env.BENCH_REQUESTS ?? 40));
const WARMUP = 3;
const SECRET = 'bench-secret-key-that-is-long-enough-0123456789';
const DOC = path.join(__dirname, '..', 'docs', 'benchmarks.md');
const COMMAND = 'npm run bench:stats';
const PASSWORD = 'Correct-Horse-Battery-9';
const PARIS = dayFormatter('Europe/Paris');

/** A small deterministic generator: the same data set on both databases and every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SOURCES = ['direct', 'search', 'social', 'newsletter', 'other'];
const NETWORKS = ['facebook', 'mastodon', 'bluesky', 'x'];

async function seedArticlesAndSubscribers(c: Container, now: Date): Promise<void> {
  const at = now.toISOString();
  const articles = Array.from({ length: ARTICLES }, (_, i) => ({
    slug: `actualite-${i}`,
    title: `Actualité ${i} : travaux, fêtes et vie de la commune`,
    summary: 'Résumé',
    body_md: 'Texte',
    body_html: '<p>Texte</p>',
    status: 'published',
    publish_at: at,
    urgent: false,
    created_at: at,
    updated_at: at,
  }));
  await c.db.batchInsert('articles', articles, 500);
  const subscribers = Array.from({ length: SUBSCRIBERS }, (_, i) => ({
    email: `habitant${i}@exemple.fr`,
    status: 'confirmed',
    source: 'form',
    created_at: at,
  }));
  await c.db.batchInsert('subscribers', subscribers, 500);
  await c.usersRepo.insert({ email: 'maire@commune.test', displayName: 'La maire', role: 'elected', passwordHash: await hashPassword(PASSWORD) }, now);
}

/** One event, as the engagement writer stores it: mostly site views, then social, newsletter. */
function makeEvent(r: () => number, now: number, firstArticle: number) {
  const ageMs = Math.floor(r() * DAYS * 86_400_000);
  const occurred = new Date(now - ageMs);
  // Articles are published along the two years; an event is about an article of about that time.
  const dayIndex = DAYS - ageMs / 86_400_000;
  const near = Math.min(ARTICLES - 1, Math.max(0, Math.floor((dayIndex / DAYS) * ARTICLES - r() * 40)));
  const article = firstArticle + near;
  const x = r();
  let channel = 'site';
  let kind = 'view';
  let articleId: number | null = article;
  let publicationId: number | null = null;
  let source = '';
  let value = 1;
  if (x < 0.55) source = SOURCES[Math.floor(r() * SOURCES.length)]!;
  else if (x < 0.62) [kind, articleId, value] = ['visitor', null, 1 + Math.floor(r() * 20)];
  else if (x < 0.63) [channel, kind, articleId, value] = ['newsletter', 'delivery', null, 2000 + Math.floor(r() * 500)];
  else if (x < 0.65) [channel, kind, value] = ['newsletter', 'article_delivery', 2000];
  else if (x < 0.7) [channel, kind, articleId] = ['newsletter', 'open', null];
  else if (x < 0.74) [channel, kind] = ['newsletter', 'click'];
  else if (x < 0.75) [channel, kind, articleId] = ['newsletter', r() < 0.6 ? 'subscribe' : 'unsubscribe', null];
  else {
    channel = NETWORKS[Math.floor(r() * NETWORKS.length)]!;
    const k = r();
    kind = k < 0.4 && (channel === 'facebook' || channel === 'x') ? 'impression' : k < 0.7 ? 'reaction' : k < 0.85 ? 'share' : k < 0.95 ? 'reply' : 'click';
    publicationId = article * 4 + NETWORKS.indexOf(channel);
    value = kind === 'impression' ? 10 + Math.floor(r() * 200) : 1 + Math.floor(r() * 5);
  }
  return { at: occurred, channel, kind, articleId, publicationId, source, value } as EngagementEvent;
}

/** Builds the events through the engagement store's own bulk path (ingestEvents); returns its rate. */
async function seedEvents(c: Container, now: Date): Promise<{ rate: number; seconds: number }> {
  const r = rng(13);
  const first = Number(((await c.db('articles').min({ id: 'id' }).first()) as { id: unknown }).id);
  const repo = new EngagementRepository(c.db);
  // Only the writes are timed (with their Paris day computed): making up the events is not ingestion.
  let writing = 0;
  const CHUNK = 20_000;
  for (let done = 0; done < EVENTS; done += CHUNK) {
    const events = Array.from({ length: Math.min(CHUNK, EVENTS - done) }, () => makeEvent(r, now.getTime(), first));
    const started = performance.now();
    await ingestEvents(repo, events, 'Europe/Paris', now);
    writing += performance.now() - started;
  }
  const seconds = writing / 1000;
  return { rate: EVENTS / seconds, seconds };
}

/** The nightly rollup job's own work (EngagementRollup): every day before today totalled and listed as complete. */
async function rollUpPastDays(c: Container): Promise<number> {
  const started = performance.now();
  await c.engagementRollup.rollUp();
  await c.db.raw('analyze');
  return (performance.now() - started) / 1000;
}

/** BENCH_PROFILE=1: how long each read of the 12-month dashboard takes on its own (a diagnostic). */
async function profile(c: Container): Promise<void> {
  const q = new EngagementQueries(c.db);
  const p = resolvePeriod('annee', PARIS(new Date()));
  const time = async (name: string, f: () => Promise<unknown>) => {
    const t = performance.now();
    await f();
    console.log(`  ${name}: ${(performance.now() - t).toFixed(1)} ms`);
  };
  for (const round of ['cold', 'remembered']) {
    console.log(`  ${round}:`);
    await time('byDay', () => q.byDay(p));
    await time('totals(previous)', () => q.totals(p.previous));
    await time('byArticle', () => q.byArticle(p, ARTICLE_KINDS));
  }
  await time('subscribers', () => c.subscribers.confirmedCount());
  for (let i = 0; i < 3; i++) await time('service dashboard (year)', () => c.stats.dashboard(p, { sort: 'reach', dir: 'desc', limit: 25, offset: 0 }));
  const rows = await c.db('engagement_daily').count({ n: '*' }).first();
  console.log('  daily rows', rows);
}

function request(
  port: number,
  p: string,
  opts: { method?: string; cookie?: string; body?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: p,
        method: opts.method ?? 'GET',
        headers: { cookie: opts.cookie ?? '', ...(opts.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function login(port: number): Promise<string> {
  const page = await request(port, '/admin/login');
  const cookie = (page.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const body = new URLSearchParams({ _csrf: csrf, email: 'maire@commune.test', password: PASSWORD }).toString();
  const res = await request(port, '/admin/login', { method: 'POST', cookie, body });
  if (res.status !== 302) throw new Error(`login failed: ${res.status}`);
  return (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ') || cookie;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timePage(port: number, cookie: string, p: string): Promise<{ median: number; p95: number; bytes: number; first: number }> {
  let bytes = 0;
  let first = 0;
  for (let i = 0; i < WARMUP; i++) {
    const t = performance.now();
    const res = await request(port, p, { cookie });
    // The first view after a rollup adds up the rolled-up days; later ones reuse that (EngagementQueries).
    if (i === 0) first = performance.now() - t;
    if (res.status !== 200 || !res.body.includes('data-figure="reached"')) throw new Error(`${p}: ${res.status}`);
    bytes = Buffer.byteLength(res.body);
  }
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    await request(port, p, { cookie });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { median: percentile(times, 50), p95: percentile(times, 95), bytes, first };
}

interface Result {
  label: string;
  build: { rate: number; seconds: number; rollupSeconds: number };
  month: { median: number; p95: number; bytes: number; first: number };
  year: { median: number; p95: number; bytes: number; first: number };
}

async function run(label: string, pgUrl: string | null): Promise<Result | null> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-bench-stats-'));
  const prev = process.env.DATABASE_URL;
  let db: { url: string; drop: () => Promise<void> };
  try {
    if (pgUrl) process.env.DATABASE_URL = pgUrl;
    else delete process.env.DATABASE_URL;
    db = await testDatabaseUrl(dir);
  } catch (err) {
    console.log(`${label}: skipped (${(err as Error).message})`);
    return null;
  } finally {
    process.env.DATABASE_URL = prev;
  }
  const config = loadConfig({ DATA_DIR: dir, DATABASE_URL: db.url, SECRET_KEY: SECRET, LOG_LEVEL: 'silent', CRIEUR_DEMO: 'false', NODE_ENV: 'production' });
  const c = createContainer(config, { log: pino({ level: 'silent' }) });
  const server = http.createServer(createHandler(c));
  try {
    await migrate(c);
    const now = new Date();
    await seedArticlesAndSubscribers(c, now);
    console.log(`${label}: inserting ${EVENTS.toLocaleString('en')} events…`);
    const ingest = await seedEvents(c, now);
    console.log(`${label}: ${Math.round(ingest.rate).toLocaleString('en')} events/s; rolling up past days…`);
    const rollupSeconds = await rollUpPastDays(c);
    if (process.env.BENCH_PROFILE) await profile(c);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const cookie = await login(port);
    const month = await timePage(port, cookie, '/admin?periode=30j');
    const year = await timePage(port, cookie, '/admin?periode=annee');
    console.log(
      `${label}: 30 days median ${month.median.toFixed(1)} ms p95 ${month.p95.toFixed(1)} ms; 12 months median ${year.median.toFixed(1)} ms p95 ${year.p95.toFixed(1)} ms`,
    );
    return { label, build: { ...ingest, rollupSeconds }, month, year };
  } finally {
    server.close();
    await c.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function report(results: Result[], load: string, today: string): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  const ok = (b: boolean) => (b ? 'met' : 'NOT met');
  const rows = results.flatMap((r) => [
    `| ${r.label} | 30 days | ${ms(r.month.median)} | ${ms(r.month.p95)} | ≤ 150 ms: ${ok(r.month.p95 <= 150)} | ${ms(r.month.first)} | ${Math.round(r.month.bytes / 1024)} KB |`,
    `| ${r.label} | 12 months | ${ms(r.year.median)} | ${ms(r.year.p95)} | ≤ 150 ms: ${ok(r.year.p95 <= 150)} | ${ms(r.year.first)} | ${Math.round(r.year.bytes / 1024)} KB |`,
  ]);
  const ingest = results.map(
    (r) =>
      `| ${r.label} | ${Math.round(r.build.rate).toLocaleString('en')} events/s (${r.build.seconds.toFixed(1)} s) | ≥ 20,000/s: ${ok(r.build.rate >= 20_000)} | ${r.build.rollupSeconds.toFixed(1)} s |`,
  );
  return [
    '## Statistics dashboard',
    '',
    `Command: \`${COMMAND}\` (bench/stats.bench.ts; PostgreSQL is measured when \`BENCH_DATABASE_URL\`, by default the`,
    'throwaway cluster of `test/pg/start-postgres.sh` on port 55432, answers). Written by the benchmark itself.',
    '',
    `${EVENTS.toLocaleString('en')} engagement events over ${DAYS} days, ${ARTICLES.toLocaleString('en')} articles, ${SUBSCRIBERS.toLocaleString('en')} confirmed subscribers; every`,
    'past day rolled up (today stays raw, as between two nightly rollups). The dashboard page (`/admin` as an elected',
    `member: totals and previous period, the charts per channel, the article table and the top five) is asked ${REQUESTS} times in a`,
    `row over HTTP through the whole app after ${WARMUP} warm-up requests. The machine is shared with other work (2 cores, several`,
    'sessions running tests): the load average says how busy it was, and the times are those of a loaded machine.',
    'Whole months of a period are read from the monthly totals per article (`engagement_monthly`), the days at its ends',
    'from the daily ones, today from the raw events. What is computed from the rolled-up days (totals, chart, the',
    'article table in each order asked) is remembered until the totals change (EngagementQueries, ArticleTables): each',
    'view reads today’s raw events and puts today’s articles back in order. The median and p95 are those of the views',
    'that follow; the first view after a rollup (or on a new day, the period having moved) sums the rollups and is',
    'shown on its own.',
    '',
    `${today}, ${os.cpus().length} cores (${cpu}), Node ${process.version}, load average ${load} at the start.`,
    '',
    '| database | period | median | p95 | goal | first view after the rollup | page size |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'Ingestion: the events go through the engagement store’s own bulk path (`ingestEvents`: each event’s Paris day, then',
    'the repository’s inserts in one transaction, 20,000 events a call: on SQLite 10,000 rows a statement as one JSON text,',
    'on PostgreSQL one array a column); the rollup is the nightly job’s (`EngagementRollup.rollUp`, daily and monthly totals).',
    '',
    '| database | ingestion | goal | rollup of the past days |',
    '| --- | --- | --- | --- |',
    ...ingest,
    '',
  ].join('\n');
}

/** Replaces the "## Statistics dashboard" section of docs/benchmarks.md, leaving other sections alone. */
function writeSection(section: string): void {
  const current = fs.readFileSync(DOC, 'utf8');
  const re = /^## Statistics dashboard\n[\s\S]*?(?=^## |(?![\s\S]))/m;
  fs.writeFileSync(DOC, re.test(current) ? current.replace(re, `${section}\n`) : `${current.trimEnd()}\n\n${section}`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const load = os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');
  const results: Result[] = [];
  const sqlite = await run('SQLite', null);
  if (sqlite) results.push(sqlite);
  const pg = await run('PostgreSQL', process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:55432/postgres');
  if (pg) results.push(pg);
  const today = PARIS(new Date());
  if (!process.env.BENCH_EVENTS) writeSection(report(results, load, today));
  const worst = Math.max(...results.flatMap((r) => [r.month.p95, r.year.p95]));
  const slowestIngest = Math.min(...results.map((r) => r.build.rate));
  console.log(
    `dashboard p95 (worst of SQLite/PostgreSQL, 30 days and 12 months): ${worst.toFixed(1)} ms (goal ≤ 150 ms); ingestion ${Math.round(slowestIngest).toLocaleString('en')} events/s (goal ≥ 20,000)`,
  );
  console.log(`whole run: ${((performance.now() - started) / 60_000).toFixed(1)} min`);
}

main().catch((err) => {
  console.error(String((err as Error).message ?? err).slice(0, 500));
  process.exit(1);
});
