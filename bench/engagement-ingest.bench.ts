/**
 * npm run bench:engagement — how fast the engagement store writes events, on SQLite and (when
 * reachable) on PostgreSQL: 200,000 distinct events (no two would be merged into one row), written
 * (1) by `ingestEvents` in batches of 10,000, one transaction each, and (2) through the buffered
 * EngagementStore as the sources use it (`record` one event at a time, written by size).
 *
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:55432/postgres, which
 * `test/pg/start-postgres.sh` starts). Figures are written to the "Engagement ingestion" section
 * of docs/benchmarks.md; the last line printed is the headline figure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../server/config';
import { createContainer, migrate } from '../server/container';
import { EngagementRepository } from '../server/engagement/engagement.repository';
import { EngagementStore, ingestEvents } from '../server/engagement/engagement.store';
import type { EngagementEvent } from '../server/engagement/engagement.types';
import { testDatabaseUrl } from '../test/helpers/database';

const EVENTS = 200_000;
const BATCH = 10_000;
const GOAL = 20_000;
const TZ = 'Europe/Paris';
const DOC = path.join(__dirname, '..', 'docs', 'benchmarks.md');

/** A mix like the real one: mostly site views, then newsletter and social figures, over two years. */
function events(n: number, offset: number): EngagementEvent[] {
  const start = Date.parse('2025-01-01T00:00:00.000Z');
  const sources = ['direct', 'search', 'social', 'newsletter', 'other'];
  const out: EngagementEvent[] = [];
  for (let i = offset; i < offset + n; i++) {
    // A different minute for each event: none is merged with another.
    const at = new Date(start + i * 60_000);
    const articleId = 1 + (i % 5000);
    const k = i % 10;
    if (k < 6) out.push({ channel: 'site', kind: 'view', articleId, source: sources[i % 5] as string, at });
    else if (k === 6) out.push({ channel: 'site', kind: 'visitor', at });
    else if (k === 7) out.push({ channel: 'newsletter', kind: 'click', articleId, campaignId: 1 + (i % 100), at });
    else out.push({ channel: k === 8 ? 'facebook' : 'mastodon', kind: 'reaction', articleId, publicationId: articleId * 3, value: 2, at });
  }
  return out;
}

interface Figures {
  direct: number;
  store: number;
  /** Events per second of this process's CPU time (SQLite works inside it; PostgreSQL does not). */
  directCpu: number;
  storeCpu: number;
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};

async function measure(label: string, databaseUrl: string | undefined, dir: string): Promise<Figures | null> {
  let db: { url: string; drop: () => Promise<void> };
  const prev = process.env.DATABASE_URL;
  if (databaseUrl) process.env.DATABASE_URL = databaseUrl;
  else delete process.env.DATABASE_URL;
  try {
    db = await testDatabaseUrl(dir);
  } catch (err) {
    console.log(`${label}: skipped (${(err as Error).message})`);
    return null;
  } finally {
    process.env.DATABASE_URL = prev;
  }
  const config = loadConfig({ DATA_DIR: dir, DATABASE_URL: db.url, SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789', LOG_LEVEL: 'silent' });
  const c = createContainer(config, { log: pino({ level: 'silent' }) });
  try {
    await migrate(c);
    const repo = new EngagementRepository(c.db);

    const batches = Array.from({ length: EVENTS / BATCH }, (_, b) => events(BATCH, b * BATCH));
    let started = performance.now();
    let cpu = process.cpuUsage();
    for (const batch of batches) await ingestEvents(repo, batch, TZ);
    const direct = EVENTS / ((performance.now() - started) / 1000);
    const directCpu = EVENTS / cpuSeconds(cpu);

    const store = new EngagementStore(repo, c.clock, pino({ level: 'silent' }), { timeZone: TZ, maxBuffered: BATCH, flushEveryMs: 60_000 });
    const later = Array.from({ length: EVENTS / BATCH }, (_, b) => events(BATCH, EVENTS + b * BATCH));
    started = performance.now();
    cpu = process.cpuUsage();
    for (const batch of later) {
      for (const e of batch) store.record(e);
      await store.flush();
    }
    await store.close();
    const viaStore = EVENTS / ((performance.now() - started) / 1000);
    const storeCpu = EVENTS / cpuSeconds(cpu);

    const count = Number((await c.db('engagement_events').count({ n: '*' }).first())?.n);
    if (count !== 2 * EVENTS) throw new Error(`expected ${2 * EVENTS} rows, found ${count}`);
    console.log(
      `${label}: ingestEvents ${Math.round(direct)} events/s (${Math.round(directCpu)} per CPU second here), ` +
        `EngagementStore ${Math.round(viaStore)} events/s (${Math.round(storeCpu)} per CPU second here)`,
    );
    return { direct, store: viaStore, directCpu, storeCpu };
  } finally {
    await c.close();
    await db.drop();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function section(sqlite: Figures, pg: Figures | null, load: string): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const met = (n: number) => (n >= GOAL ? 'met' : 'NOT met');
  return [
    '## Engagement ingestion',
    '',
    'Command: `npm run bench:engagement` (bench/engagement-ingest.bench.ts; PostgreSQL is measured when `BENCH_DATABASE_URL`,',
    'by default the throwaway cluster of `test/pg/start-postgres.sh` on port 55432, answers). Written by the benchmark itself.',
    '',
    `${fmt(EVENTS)} distinct events (site views and visitors, newsletter clicks, social growth; a different minute each,`,
    'so that none is merged with another) written twice into an empty `engagement_events`: by `ingestEvents`',
    `(server/engagement/engagement.store.ts) in batches of ${fmt(BATCH)}, each one transaction of 500-row inserts, and through`,
    'the buffered `EngagementStore` as the sources use it (`record` per event, then a write of the buffer).',
    '',
    'SQLite runs in WAL mode with `synchronous = NORMAL` (what Crieur ships); the PostgreSQL test cluster runs with',
    '`fsync = off` and `synchronous_commit = off`.',
    '',
    'Events per second are wall-clock; "per CPU second" divides by the CPU time of the benchmark\'s own process',
    "(user + system), which is what the figure would be on an idle core: it holds SQLite's whole work (the",
    'database runs inside the process) but only the client side of PostgreSQL. On a machine shared with other',
    'work (see the load average) the wall-clock figures fall while the CPU figures do not.',
    '',
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${cpu}), Node ${process.version}, load average ${load} at the start.`,
    '',
    '| database | ingestEvents, events/s | per CPU second | EngagementStore, events/s | per CPU second | goal ≥ 20,000 events/s (wall-clock) |',
    '| --- | --- | --- | --- | --- | --- |',
    `| SQLite | **${fmt(sqlite.direct)}** | ${fmt(sqlite.directCpu)} | ${fmt(sqlite.store)} | ${fmt(sqlite.storeCpu)} | ${met(Math.min(sqlite.direct, sqlite.store))} |`,
    pg
      ? `| PostgreSQL | **${fmt(pg.direct)}** | ${fmt(pg.directCpu)} (client side) | ${fmt(pg.store)} | ${fmt(pg.storeCpu)} (client side) | ${met(Math.min(pg.direct, pg.store))} |`
      : '| PostgreSQL | not measured (no server answered) | | | | |',
    '',
    'In use, events of the same minute, kind, article and source are merged into one row before they are',
    'written (a busy article page makes one row a minute, not one per reader), so the rows written are far',
    'fewer than the events counted.',
    '',
  ].join('\n');
}

/** Replaces the "## Engagement ingestion" section of docs/benchmarks.md, leaving other sections alone. */
function writeSection(text: string): void {
  const current = fs.readFileSync(DOC, 'utf8');
  const re = /^## Engagement ingestion\n[\s\S]*?(?=^## |(?![\s\S]))/m;
  fs.writeFileSync(DOC, re.test(current) ? current.replace(re, `${text}\n`) : `${current.trimEnd()}\n\n${text}`);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-bench-'));
  try {
    console.log(`node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}`);
    const load = os.loadavg()[0]!.toFixed(2);
    const pg = await measure('engagement postgresql', process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:55432/postgres', dir);
    const sqlite = await measure('engagement sqlite', undefined, dir);
    if (!sqlite) throw new Error('SQLite could not be measured');
    writeSection(section(sqlite, pg, load));
    const worst = Math.min(sqlite.direct, sqlite.store, ...(pg ? [pg.direct, pg.store] : []));
    console.log(`engagement ingestion: ${fmt(worst)} events/s at worst (SQLite${pg ? ' and PostgreSQL' : ''}), goal ${fmt(GOAL)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
