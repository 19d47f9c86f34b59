import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { makeArticle, makePublication, makeTestAccount } from './helpers/factories';
import { ALL_JOBS } from '../jobs';
import { JOB_LABELS } from '../server/jobs/job-labels';
import { JobRunner } from '../server/jobs/job-runner';
import type { Container } from '../server/container';
import { ROOT, startNode, WITH_TEST_CHANNEL } from './helpers/process';
import { startDeliveryPeer } from './helpers/delivery-peer';
import { seedDuePublications, SECRET } from './helpers/seed-publications';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext();
});
afterEach(async () => ctx.close());

describe('the job wrapper', () => {
  it('never runs the same job twice at once, even from two instances', async () => {
    let release!: () => void;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const slow = {
      name: 'slow',
      schedule: () => '* * * * *',
      run: () => {
        started();
        return new Promise<void>((r) => (release = r));
      },
    };
    const other = new JobRunner<Container>(ctx.c.jobsRepo, ctx.c, ctx.c.clock, pino({ level: 'silent' }), 'other-instance-1-abc');
    const first = ctx.c.jobRunner.run(slow);
    // Once the job body runs, the first runner holds the lease, however slow the machine.
    await running;
    expect(await other.run(slow)).toEqual({ ran: false, reason: 'lease-held' });
    release();
    expect(await first).toMatchObject({ ran: true, ok: true });
    expect(await other.run({ ...slow, run: async () => 'second' })).toMatchObject({ ran: true, ok: true, detail: '"second"' });
  });

  it('records each run with its outcome, and shows runs to administrators only', async () => {
    await ctx.c.jobRunner.run({
      name: 'broken',
      schedule: () => '* * * * *',
      run: async () => {
        throw new Error('la base ne répond pas');
      },
    });
    await ctx.c.jobRunner.run(
      ALL_JOBS.find((j) => j.name === 'dispatch-publications')!,
      'manual',
    );
    const admin = await loginAs(ctx, 'admin');
    const page = await admin.agent.get('/admin/jobs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('la base ne répond pas');
    expect(page.text).toContain('En échec');
    expect(page.text).toContain('Envoi des publications (manuelle) <small><code>dispatch-publications</code></small>');
    const editor = await loginAs(ctx, 'editor');
    expect((await editor.agent.get('/admin/jobs')).status).toBe(403);
  });

  it('does nothing the second time when every job runs twice in a row', async () => {
    const account = await makeTestAccount(ctx.c);
    await makePublication(ctx.c, await makeArticle(ctx.c), account, ctx.clock.now());
    await ctx.c.users.invite({ email: 'marie@commune.test', displayName: 'Marie', role: 'editor' }, { id: null, label: 'test' });
    await ctx.c.outbox.idle();
    await ctx.c.db('sessions').insert({ sid: 'old', sess: '{}', expires_at: '2020-01-01T00:00:00.000Z' });

    // In list order, as their schedules would: the figures job sees what the dispatcher sent.
    const first = [];
    for (const j of ALL_JOBS) first.push(await ctx.c.jobRunner.run(j, 'manual'));
    const second = await Promise.all(ALL_JOBS.map((j) => ctx.c.jobRunner.run(j, 'manual')));
    expect(first.every((r) => r.ran && r.ok)).toBe(true);
    const details = Object.fromEntries(ALL_JOBS.map((j, i) => [j.name, JSON.parse((second[i] as { detail: string }).detail)]));
    expect(details).toEqual({
      'dispatch-publications': { sent: 0, queued: 0, failed: 0, retrying: 0, waiting: 0, held: 0, skipped: 0, uncertain: 0, resumed: 0, lost: 0 },
      'deliver-outbox': 0,
      'newsletter-digest': { digests: 0, started: 0, forgotten: 0 },
      'send-campaigns': { sent: 0, skipped: 0, retrying: 0, failed: 0, bounced: 0, unknown: 0, waiting: 0, paused: 0, done: 0 },
      'fetch-metrics': { fetched: 0, failed: 0 },
      'purge-expired': { sessions: 0, tokens: 0, throttle: 0, outbox: 0, jobRuns: 0 },
      'purge-audience': { visitorHashes: 0, salts: 0, expiredRows: 0 },
      'purge-subscribers': { unconfirmed: 0 },
      'newsletter-reconsent': { asked: 0, deleted: 0 },
      'engagement-rollup': { days: 0, rows: 0 },
      'engagement-purge': { rolledUp: 0, events: 0 },
      'stats-monthly-report': { sent: 0 },
    });
    expect(ctx.testAdapter.delivered).toHaveLength(1);
  });
});

describe('the job runs page, in words', () => {
  it('names every job of jobs/index.ts, in its order, without server/ importing jobs/', async () => {
    expect(Object.keys(JOB_LABELS)).toEqual(ALL_JOBS.map((j) => j.name));
    const admin = await loginAs(ctx, 'admin');
    const page = await admin.agent.get('/admin/jobs');
    for (const j of ALL_JOBS) expect(page.text).toContain(`value="${j.name}"`);
    const fromServer = execFileSync('grep', ['-rlE', "from '(\\.\\./)+jobs'", path.join(ROOT, 'server')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((f) => path.relative(ROOT, f))
      .sort();
    expect(fromServer).toEqual(['server/cli/cli.ts', 'server/jobs-main.ts', 'server/main.ts']);
  });

  /** The text of the runs table as a person reads it. */
  async function runsTable(): Promise<string> {
    const admin = await loginAs(ctx, 'admin');
    const page = await admin.agent.get('/admin/jobs');
    expect(page.status).toBe(200);
    const table = /<tbody>([\s\S]*)<\/tbody>/.exec(page.text)?.[1] ?? '';
    return table
      .replace(/<[^>]*>/g, ' ')
      .replace(/&#34;/g, '"')
      .replace(/\s+/g, ' ');
  }

  it('names each job in French, keeps its technical name beside it, and sums up what it did', async () => {
    const account = await makeTestAccount(ctx.c);
    await makePublication(ctx.c, await makeArticle(ctx.c), account, ctx.clock.now());
    for (const job of ALL_JOBS) await ctx.c.jobRunner.run(job, 'manual');
    await ctx.c.jobRunner.run(ALL_JOBS.find((j) => j.name === 'dispatch-publications')!);

    const text = await runsTable();
    expect(text).toContain('Envoi des publications (manuelle) dispatch-publications');
    expect(text).toContain('Envoi des e-mails (manuelle) deliver-outbox');
    expect(text).toContain('Nettoyage des données expirées (manuelle) purge-expired');
    expect(text).toContain('Nettoyage de la mesure d’audience (manuelle) purge-audience');
    expect(text).toContain('1 envoyée');
    expect(text).toContain('Rien à faire');
    expect(text).not.toMatch(/[{}]/);
    expect(text).not.toContain('"sent"');
  });

  it('gives only the counts that are not zero, and shows anything else as recorded', async () => {
    const as = (name: string, result: unknown) => ({ name, schedule: () => '* * * * *', run: async () => result });
    await ctx.c.jobRunner.run(as('dispatch-publications', { sent: 3, failed: 1, retrying: 0, held: 0, skipped: 0, uncertain: 0, lost: 0 }));
    await ctx.c.jobRunner.run(as('purge-expired', { sessions: 1, tokens: 0, throttle: 0, outbox: 12, jobRuns: 0 }));
    await ctx.c.jobRunner.run(as('deliver-outbox', 2));
    await ctx.c.jobRunner.run(as('purge-audience', { visitorHashes: 'many' }));
    await ctx.c.jobRunner.run(as('a-future-job', { sent: 1 }));

    const text = await runsTable();
    expect(text).toContain('3 envoyées, 1 en échec');
    expect(text).toContain('1 session expirée effacée, 12 e-mails déjà envoyés effacés');
    expect(text).toContain('2 e-mails envoyés');
    expect(text).toContain('{"visitorHashes":"many"}');
    expect(text).toContain('a-future-job');
    expect(text).toContain('{"sent":1}');
  });

  it('says it in English too', async () => {
    await ctx.c.jobRunner.run({ name: 'dispatch-publications', schedule: () => '* * * * *', run: async () => ({ sent: 2, failed: 0 }) });
    const admin = await loginAs(ctx, 'admin');
    await admin.agent.post('/admin/account/locale').type('form').send({ _csrf: admin.csrf, locale: 'en' });
    const page = await admin.agent.get('/admin/jobs');
    expect(page.text).toContain('Sending publications');
    expect(page.text).toContain('2 sent');
    expect(page.text).not.toContain('Envoi des publications');
  });
});

describe('running jobs from the command line and on their own', () => {
  it('runs a job now with `npm run crieur -- job:run <name>`, and refuses an unknown one', async () => {
    const peer = await startDeliveryPeer();
    const db = await seedDuePublications(3, peer.url);
    try {
      const env = { ...process.env, DATABASE_URL: db.databaseUrl, DATA_DIR: db.dir, SECRET_KEY: SECRET, LOG_LEVEL: 'silent', CRIEUR_DEMO: 'false' };
      // Asynchronous: the peer answering the CLI's requests lives in this very process.
      const cli = (args: string[]) =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
          execFile(
            process.execPath,
            ['--import', 'tsx', ...WITH_TEST_CHANNEL.flatMap((m) => ['--import', m]), 'server/cli/cli.ts', ...args],
            { cwd: ROOT, env },
            (err, stdout, stderr) => resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
          );
        });
      const ok = await cli(['job:run', 'dispatch-publications']);
      expect(ok.status).toBe(0);
      expect(ok.stdout).toContain('dispatch-publications : terminée {"sent":3');
      expect(peer.counts.size).toBe(3);
      const bad = await cli(['job:run', 'nope']);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('Tâche inconnue « nope »');
    } finally {
      await db.close();
      await peer.close();
    }
  }, 60_000);

  it('runs the jobs alone with `npm run jobs`, and stops cleanly on SIGTERM, releasing its leases', async () => {
    const peer = await startDeliveryPeer();
    const db = await seedDuePublications(20, peer.url);
    const jobs = startNode(
      'server/jobs-main.ts',
      { DATABASE_URL: db.databaseUrl, DATA_DIR: db.dir, SECRET_KEY: SECRET, JOBS_DISPATCH_CRON: '* * * * * *' },
      [],
      WITH_TEST_CHANNEL,
    );
    try {
      await jobs.waitForOutput(/tâches planifiées démarrées/);
      const deadline = Date.now() + 30_000;
      while (peer.counts.size < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(peer.counts.size).toBe(20);
    } finally {
      expect(await jobs.stop('SIGTERM')).toBe(0);
    }
    const held = await db.c.db('job_leases').whereNotNull('holder');
    expect(held).toEqual([]);
    await db.close();
    await peer.close();
  }, 60_000);
});
