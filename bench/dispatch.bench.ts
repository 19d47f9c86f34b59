/**
 * npm run bench:dispatch — dispatches 10,000 due publications through the test adapter, on SQLite
 * and (when reachable) on PostgreSQL, and prints publications per second. The adapter answers at
 * once, so what is measured is Crieur's bookkeeping: claim, load, record.
 *
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:55432/postgres, which
 * `test/pg/start-postgres.sh` starts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../server/config';
import { createContainer, migrate, type Container } from '../server/container';
import { testDatabaseUrl } from '../test/helpers/database';
import { TestAdapter } from '../test/helpers/test-channel.adapter';

const PUBLICATIONS = 10_000;
const ACCOUNTS = 5;

async function seed(c: Container): Promise<void> {
  const now = c.clock.now().toISOString();
  const accounts: number[] = [];
  for (let i = 0; i < ACCOUNTS; i++) accounts.push(await c.accounts.insert({ channel: 'test', label: `Bench ${i}` }, c.clock.now()));
  const articles = PUBLICATIONS / ACCOUNTS;
  for (let start = 0; start < articles; start += 200) {
    const rows = Array.from({ length: Math.min(200, articles - start) }, (_, k) => ({
      slug: `bench-${start + k}`, title: `Article ${start + k}`, summary: 'Résumé', body_md: 'Texte', body_html: '<p>Texte</p>',
      status: 'published', publish_at: now, urgent: false, created_at: now, updated_at: now,
    }));
    await c.db.batchInsert('articles', rows, 100);
  }
  const ids = (await c.db('articles').select('id').orderBy('id')).map((r) => r.id as number);
  const pubs = ids.flatMap((articleId) => accounts.map((accountId) => ({
    article_id: articleId, account_id: accountId, channel: 'test', scheduled_at: now, due_at: now, status: 'pending', created_at: now, updated_at: now,
  })));
  await c.db.batchInsert('publications', pubs, 100);
}

async function run(label: string, databaseUrl: string | undefined, dir: string): Promise<number | null> {
  const db = databaseUrl ? { url: databaseUrl, drop: async () => {} } : await testDatabaseUrl(dir);
  let url = db.url;
  let drop = db.drop;
  if (databaseUrl) {
    const prev = process.env.DATABASE_URL;
    process.env.DATABASE_URL = databaseUrl;
    try {
      ({ url, drop } = await testDatabaseUrl(dir));
    } catch (err) {
      console.log(`${label}: skipped (${(err as Error).message})`);
      return null;
    } finally {
      process.env.DATABASE_URL = prev;
    }
  }
  const config = loadConfig({ DATA_DIR: dir, DATABASE_URL: url, SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789', LOG_LEVEL: 'silent' });
  const c = createContainer(config, { log: pino({ level: 'silent' }), channels: [new TestAdapter()] });
  try {
    await migrate(c);
    await seed(c);
    const started = performance.now();
    const report = await c.dispatcher.dispatchDue();
    const seconds = (performance.now() - started) / 1000;
    if (report.sent !== PUBLICATIONS) throw new Error(`expected ${PUBLICATIONS} sent, got ${JSON.stringify(report)}`);
    const rate = PUBLICATIONS / seconds;
    console.log(`${label}: ${PUBLICATIONS} publications in ${seconds.toFixed(2)} s = ${Math.round(rate)} publications/s`);
    return rate;
  } finally {
    await c.close();
    await drop();
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-bench-'));
  try {
    console.log(`node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}`);
    const pg = await run('dispatch postgresql', process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:55432/postgres', dir);
    const sqlite = await run('dispatch sqlite', undefined, dir);
    if (pg !== null) console.log(`dispatch postgresql: ${Math.round(pg)} publications/s`);
    console.log(`dispatch sqlite: ${Math.round(sqlite ?? 0)} publications/s`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
