import os from 'node:os';
import request from 'supertest';
import { startDeliveryPeer, type DeliveryPeer } from './helpers/delivery-peer';
import { freePort, startNode, waitForHttp, WITH_TEST_CHANNEL, type Running } from './helpers/process';
import { seedDuePublications, SECRET } from './helpers/seed-publications';

// Real Crieur processes on one database (PostgreSQL when DATABASE_URL points at it, as in CI's
// second pass; a shared SQLite file otherwise), delivering to a local HTTP peer.

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function start(databaseUrl: string, dir: string, extra: Record<string, string> = {}): Promise<Running & { port: number }> {
  const port = await freePort();
  const proc = startNode(
    'server/main.ts',
    {
      DATABASE_URL: databaseUrl,
      DATA_DIR: dir,
      PORT: String(port),
      SECRET_KEY: SECRET,
      CRIEUR_DEMO: 'false',
      CRIEUR_ADMIN_EMAIL: 'admin@commune.test',
      CRIEUR_ADMIN_PASSWORD: 'Correct-Horse-Battery-9',
      JOBS_DISPATCH_CRON: '* * * * * *',
      ...extra,
    },
    [],
    WITH_TEST_CHANNEL,
  );
  await waitForHttp(`http://127.0.0.1:${port}/healthz`);
  return Object.assign(proc, { port });
}

describe('several Crieur processes', () => {
  let peer: DeliveryPeer;
  afterEach(async () => peer?.close());

  it('deliver each of 500 due publications exactly once when two instances share the database', async () => {
    peer = await startDeliveryPeer({ delayMs: 2 });
    const db = await seedDuePublications(500, peer.url);
    const a = await start(db.databaseUrl, db.dir);
    const b = await start(db.databaseUrl, db.dir);
    try {
      await until(async () => (await db.statuses()).sent === 500, 90_000, '500 sent');
      // Further chances to resend, counted rather than waited for: four more dispatch runs, started after the last send.
      const last = Number((await db.c.db('job_runs').max({ id: 'id' }).first())?.id ?? 0);
      const runsSince = async () =>
        Number((await db.c.db('job_runs').where({ name: 'dispatch-publications', outcome: 'ok' }).where('id', '>', last).count({ n: '*' }).first())?.n ?? 0);
      await until(async () => (await runsSince()) >= 4, 60_000, 'four more dispatch runs');
      expect(peer.counts.size).toBe(500);
      expect([...peer.counts.values()].every((n) => n === 1)).toBe(true);
      expect(await db.statuses()).toEqual({ sent: 500 });
    } finally {
      expect(await a.stop()).toBe(0);
      expect(await b.stop()).toBe(0);
      await db.close();
    }
  }, 150_000);

  it('after a SIGKILL in the middle of 200 publications, delivers none twice, loses none, and lists the uncertain ones', async () => {
    // Whatever the machine's speed, posts are in flight when the process dies: the network stops
    // answering after 40 posts, and the kill comes once at least one post waits for its answer.
    peer = await startDeliveryPeer({ delayMs: 40, holdAfter: 40 });
    const db = await seedDuePublications(200, peer.url);
    const first = await start(db.databaseUrl, db.dir);
    await until(async () => peer.held() >= 1, 60_000, 'a post in flight');
    first.child.kill('SIGKILL');
    await first.stop();
    peer.hold = false;
    const delivered = peer.total();
    expect(delivered).toBeLessThan(200);

    const second = await start(db.databaseUrl, db.dir, { PUBLISH_SENDING_TIMEOUT_SECONDS: '2' });
    try {
      await until(
        async () => {
          const s = await db.statuses();
          return !s.pending && !s.sending;
        },
        90_000,
        'nothing left pending or sending',
      );
      const s = await db.statuses();
      expect([...peer.counts.values()].every((n) => n === 1)).toBe(true); // none delivered twice
      expect((s.sent ?? 0) + (s.uncertain ?? 0)).toBe(200); // none lost: sent, or shown to a human
      expect(s.uncertain ?? 0).toBeGreaterThan(0);
      const sentIds = (await db.c.db('publications').where({ status: 'sent' }).select('id')).map((r) => r.id as number);
      expect(sentIds.every((id) => peer.counts.get(id) === 1)).toBe(true);

      // The uncertain ones are listed for a human on the admin page.
      const agent = request.agent(`http://127.0.0.1:${second.port}`);
      const login = await agent.get('/admin/login');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)![1];
      await agent.post('/admin/login').type('form').send({ _csrf: csrf, email: 'admin@commune.test', password: 'Correct-Horse-Battery-9' }).expect(302);
      const page = await agent.get('/admin/publications');
      expect(page.text).toContain('Incertaine');
      expect(page.text).toContain('Le serveur s’est arrêté pendant l’envoi');
    } finally {
      expect(await second.stop()).toBe(0);
      await db.close();
    }
  }, 180_000);

  it('after a SIGKILL while putting 50 articles on the site, shows all 50 online after a restart, with no one acting', async () => {
    const db = await seedDuePublications(50, 'http://127.0.0.1:9/unused', { channel: 'site' });
    // A real kill -9 of a process that is dispatching them.
    const first = await start(db.databaseUrl, db.dir);
    await until(async () => ((await db.statuses()).sent ?? 0) > 0, 30_000, 'dispatch under way');
    first.child.kill('SIGKILL');
    await first.stop();
    // Ten rows as the kill leaves them when it lands mid-send: claimed by that process, `sending`,
    // the page not marked online. Written after the kill, so that only the restart can free them.
    const ids = (await db.c.db('publications').orderBy('id', 'desc').limit(10).select('id')).map((r) => r.id as number);
    await db.c
      .db('publications')
      .whereIn('id', ids)
      .update({
        status: 'sending',
        claimed_by: `${os.hostname()}-${first.child.pid}-abcdef`,
        claimed_at: new Date().toISOString(),
        sent_at: null,
        external_id: null,
        external_url: null,
      });
    // (A kill that lands mid-send leaves more: the real process's own claims count as well.)
    const before = await db.statuses();
    if ((before.sending ?? 0) < 10) await db.close();
    expect(before.sending).toBeGreaterThanOrEqual(10);

    // The default 5-minute sending timeout stays: only the dead claimer's absence can free them.
    const second = await start(db.databaseUrl, db.dir);
    try {
      await until(async () => (await db.statuses()).sent === 50, 60_000, 'all 50 sent');
      expect(await db.statuses()).toEqual({ sent: 50 });
      const slugs = (await db.c.db('articles').select('slug')).map((r) => r.slug as string);
      const pages = await Promise.all(slugs.map((slug) => request(`http://127.0.0.1:${second.port}`).get(`/actualites/${slug}`)));
      expect(pages.map((p) => p.status)).toEqual(slugs.map(() => 200));
    } finally {
      expect(await second.stop()).toBe(0);
      await db.close();
    }
  }, 120_000);

  it('on SIGTERM in the middle of dispatching, finishes what it started, takes nothing new and leaves nothing "sending"', async () => {
    // Posts after the 20th wait for their answer until the process has taken the SIGTERM in: some
    // are in flight when it stops, and some are left to take, whatever the machine's speed.
    peer = await startDeliveryPeer({ delayMs: 40, holdAfter: 20 });
    const db = await seedDuePublications(200, peer.url);
    const proc = await start(db.databaseUrl, db.dir, { LOG_LEVEL: 'info' });
    try {
      await until(async () => peer.held() >= 1, 60_000, 'a post in flight');
      proc.child.kill('SIGTERM');
      await proc.waitForOutput(/stopping: no new requests or jobs/);
      peer.release();
      expect(await proc.stop('SIGTERM')).toBe(0);
      const s = await db.statuses();
      expect(s.sending ?? 0).toBe(0);
      expect(s.uncertain ?? 0).toBe(0);
      expect((s.sent ?? 0) + (s.pending ?? 0)).toBe(200);
      expect(s.pending ?? 0).toBeGreaterThan(0);
      expect(peer.counts.size).toBe(s.sent);
      expect(await db.c.db('job_leases').whereNotNull('holder')).toEqual([]);
    } finally {
      await db.close();
    }
  }, 120_000);
});
