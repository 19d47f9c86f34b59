import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../server/config';
import { createContainer, migrate } from '../../server/container';
import { testDatabaseUrl } from './database';
import { TestAdapter } from './test-channel.adapter';

export const SECRET = 'test-secret-key-that-is-long-enough-0123456789';

/**
 * A database (SQLite file, or a PostgreSQL database when DATABASE_URL says so) holding `count`
 * due publications to one test account that delivers to `endpoint`. For tests that start
 * Crieur processes on it.
 */
export async function seedDuePublications(count: number, endpoint: string, opts: { channel?: 'test' | 'site' } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-procs-'));
  const database = await testDatabaseUrl(dir);
  const config = loadConfig({ DATA_DIR: dir, DATABASE_URL: database.url, SECRET_KEY: SECRET, LOG_LEVEL: 'silent' });
  const c = createContainer(config, { log: pino({ level: 'silent' }), channels: [new TestAdapter()] });
  await migrate(c);
  const channel = opts.channel ?? 'test';
  // The site's account comes with the migrations; the test channel delivers to the local peer.
  const account =
    channel === 'site'
      ? ((await c.db('channel_accounts').where({ channel: 'site' }).first('id')) as { id: number }).id
      : await c.accounts.insert({ channel: 'test', label: 'Pair local', settings: { endpoint } }, new Date());
  const at = new Date(Date.now() - 60_000).toISOString();
  for (let start = 0; start < count; start += 100) {
    const rows = Array.from({ length: Math.min(100, count - start) }, (_, k) => ({
      slug: `a-${start + k}`,
      title: `Article ${start + k}`,
      summary: '',
      body_md: '',
      body_html: '',
      status: 'published',
      publish_at: at,
      urgent: false,
      created_at: at,
      updated_at: at,
    }));
    await c.db.batchInsert('articles', rows, 100);
  }
  const ids = (await c.db('articles').select('id')).map((r) => r.id as number);
  await c.db.batchInsert(
    'publications',
    ids.map((id) => ({ article_id: id, account_id: account, channel, scheduled_at: at, due_at: at, status: 'pending', created_at: at, updated_at: at })),
    100,
  );
  return {
    dir,
    databaseUrl: database.url,
    c,
    async statuses(): Promise<Record<string, number>> {
      const rows: { status: string; n: unknown }[] = await c.db('publications').select('status').count({ n: '*' }).groupBy('status');
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    },
    async close() {
      await c.close();
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
