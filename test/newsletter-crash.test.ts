import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { loadConfig } from '../server/config';
import { createContainer, migrate } from '../server/container';
import { testDatabaseUrl } from './helpers/database';
import { freePort, startNode, waitForHttp, type Running } from './helpers/process';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink';
import { campaignWith, deliveryStatuses, openWindow, seedSubscribers } from './helpers/newsletter-send';
import { categoryIds } from './helpers/campaigns';

// A real Crieur process sends a 5,000-subscriber campaign to a real SMTP server and is killed
// with SIGKILL halfway; a new process takes over. Nobody may get two copies, nobody may be
// skipped, and what cannot be known is reported instead of sent again.

const SECRET = 'test-secret-key-that-is-long-enough-0123456789';
const COUNT = 5000;

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('a campaign and a crash', () => {
  let sink: SmtpSink;
  afterEach(async () => sink?.close());

  it('after a SIGKILL halfway through 5,000 subscribers, gives each one copy at most, skips nobody, and reports the unknown ones', async () => {
    sink = await startSmtpSink({ keepRaw: false });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-crash-'));
    const database = await testDatabaseUrl(dir);
    const env = {
      DATABASE_URL: database.url,
      DATA_DIR: dir,
      SECRET_KEY: SECRET,
      SMTP_URL: sink.url,
      SMTP_FROM: 'Mairie <mairie@commune.test>',
      CRIEUR_DEMO: 'false',
      CRIEUR_ADMIN_EMAIL: 'admin@commune.test',
      CRIEUR_ADMIN_PASSWORD: 'Correct-Horse-Battery-9',
      JOBS_NEWSLETTER_CRON: '* * * * * *',
    };
    const c = createContainer(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { log: pino({ level: 'silent' }) });
    let second: (Running & { port: number }) | null = null;
    try {
      await migrate(c);
      await openWindow(c);
      const [culture] = await categoryIds(c);
      const subs = await seedSubscribers(c, COUNT, { topics: [culture as number] });
      const id = await campaignWith(c, [culture as number]);
      // Started here: the audience is frozen before any Crieur process runs.
      expect((await c.campaignSender.start(id)).recipients).toBe(COUNT);

      const start = async () => {
        const port = await freePort();
        const proc = startNode('server/main.ts', { ...env, PORT: String(port) });
        await waitForHttp(`http://127.0.0.1:${port}/healthz`);
        return Object.assign(proc, { port });
      };
      const first = await start();
      await until(() => sink.messages.length >= COUNT / 2, 120_000, 'half the campaign');
      // Messages are in flight when the process dies: the server stops answering, and the kill
      // comes once at least one message waits for its answer.
      sink.hold = true;
      await until(() => sink.held() >= 1, 30_000, 'a message in flight');
      first.child.kill('SIGKILL');
      await first.stop();
      sink.hold = false;
      const before = sink.messages.length;
      expect(before).toBeLessThan(COUNT);

      second = await start();
      await until(async () => (await c.db('campaign_sends').where({ campaign_id: id }).first('state'))?.state === 'done', 120_000, 'the campaign done');

      const statuses = await deliveryStatuses(c, id);
      expect(Object.keys(statuses).sort()).toEqual(['sent', 'unknown']);
      expect((statuses.sent ?? 0) + (statuses.unknown ?? 0)).toBe(COUNT); // nobody skipped
      expect(statuses.unknown).toBeGreaterThan(0);
      expect([...sink.counts.values()].every((n) => n === 1)).toBe(true); // nobody twice
      const emailOf = new Map(subs.map((s) => [s.id, s.email]));
      const sent = (await c.db('campaign_deliveries').where({ campaign_id: id, status: 'sent' }).pluck('subscriber_id')) as number[];
      expect(sent.every((sid) => sink.counts.get(emailOf.get(sid) as string) === 1)).toBe(true);
      expect((await c.campaigns.get(id))?.status).toBe('sent');

      // The unknown ones are reported to staff with the campaign's progress.
      const agent = request.agent(`http://127.0.0.1:${second.port}`);
      const login = await agent.get('/admin/login');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)![1];
      await agent.post('/admin/login').type('form').send({ _csrf: csrf, email: 'admin@commune.test', password: 'Correct-Horse-Battery-9' }).expect(302);
      const progress = await agent.get(`/admin/newsletter/campaigns/${id}/progress.json`).expect(200);
      expect(progress.body).toMatchObject({ state: 'done', unknown: statuses.unknown, sent: statuses.sent, remaining: 0 });
    } finally {
      if (second) expect(await second.stop()).toBe(0);
      await c.close();
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
