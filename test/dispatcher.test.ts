import { spawnSync } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { startDeliveryPeer } from './helpers/delivery-peer';
import type { AddressInfo } from 'node:net';
import { createTestContext, type TestContext } from './helpers/context';
import { makeArticle, makePublication, makeTestAccount } from './helpers/factories';
import { fromLocalInput } from '../server/i18n/format';
import { Dispatcher } from '../server/publishing/dispatcher';
import pino from 'pino';
import { describeMessage } from '../server/publishing/publishing.messages';
import { translator } from '../server/i18n/i18n';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext();
});
afterEach(async () => ctx.close());

const minutes = (m: number) => m * 60_000;

/** The publication's error as the officer reads it (stored as a code, put into words when shown). */
function shown(p: { lastError: Parameters<typeof describeMessage>[0] }): string {
  return describeMessage(p.lastError, translator('fr'));
}

async function statusOf(id: number) {
  return (await ctx.c.publications.get(id))!;
}

describe('the dispatcher', () => {
  it('delivers a due publication once, and a second run does nothing', async () => {
    const account = await makeTestAccount(ctx.c);
    const article = await makeArticle(ctx.c, { title: 'Marché de Noël' });
    const id = await makePublication(ctx.c, article, account, new Date(ctx.clock.now().getTime() - minutes(1)));

    const first = await ctx.c.dispatcher.dispatchDue();
    expect(first.sent).toBe(1);
    const p = await statusOf(id);
    expect(p.status).toBe('sent');
    expect(p.externalUrl).toBe(`https://test.invalid/posts/${id}`);
    expect(ctx.testAdapter.delivered.map((d) => d.text)).toEqual(['Marché de Noël']);

    const second = await ctx.c.dispatcher.dispatchDue();
    expect(second).toMatchObject({ sent: 0, failed: 0, retrying: 0 });
    expect(ctx.testAdapter.delivered).toHaveLength(1);
  });

  it('leaves a publication alone until its own time', async () => {
    const account = await makeTestAccount(ctx.c);
    const id = await makePublication(ctx.c, await makeArticle(ctx.c), account, new Date(ctx.clock.now().getTime() + minutes(30)));
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(id)).status).toBe('pending');
    ctx.clock.advance(minutes(31));
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(id)).status).toBe('sent');
  });

  it('retries passing errors with growing delays, then fails with a message the officer understands', async () => {
    const account = await makeTestAccount(ctx.c, { mode: 'transient' });
    const id = await makePublication(ctx.c, await makeArticle(ctx.c), account, ctx.clock.now());
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      await ctx.c.dispatcher.dispatchDue();
      const p = await statusOf(id);
      if (p.status !== 'pending') break;
      delays.push(p.dueAt.getTime() - ctx.clock.now().getTime());
      ctx.clock.set(p.dueAt);
    }
    expect(delays).toEqual([minutes(1), minutes(2), minutes(4), minutes(8)]);
    const p = await statusOf(id);
    expect(p.status).toBe('failed');
    expect(p.attempts).toBe(5);
    expect(shown(p)).toBe('Le réseau ne répond pas pour le moment (erreur 503). Abandonnée après 5 tentatives.');
  });

  it('fails at once on a permanent refusal', async () => {
    const account = await makeTestAccount(ctx.c, { mode: 'fail' });
    const id = await makePublication(ctx.c, await makeArticle(ctx.c), account, ctx.clock.now());
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report.failed).toBe(1);
    const p = await statusOf(id);
    expect(p.status).toBe('failed');
    expect(p.attempts).toBe(1);
    expect(shown(p)).toContain('Le réseau a refusé la publication');
  });

  it('waits for the reset time of a rate limit, for every publication of that account', async () => {
    const peer = await startPeer((_req, res) => {
      res.writeHead(429, { 'x-ratelimit-reset': String(Math.floor(Date.UTC(2026, 2, 15, 10, 0) / 1000)) }).end();
    });
    try {
      const account = await makeTestAccount(ctx.c, { endpoint: peer.url });
      const a = await makePublication(ctx.c, await makeArticle(ctx.c), account, ctx.clock.now());
      const b = await makePublication(ctx.c, await makeArticle(ctx.c), account, new Date(ctx.clock.now().getTime() + minutes(5)));
      await ctx.c.dispatcher.dispatchDue();
      expect((await statusOf(a)).dueAt.toISOString()).toBe('2026-03-15T10:00:00.000Z');
      expect((await statusOf(b)).dueAt.toISOString()).toBe('2026-03-15T10:00:00.000Z');
      expect(shown(await statusOf(a))).toContain('Trop de publications');
    } finally {
      await peer.close();
    }
  });

  it('gives up on a network that does not answer, and leaves the post to a person when the network cannot say whether it went out', async () => {
    const peer = await startPeer(() => {
      // never answers
    });
    try {
      const c = ctx.c;
      const quick = new Dispatcher(
        c.publications,
        c.accounts,
        c.adapters,
        c.publishable,
        c.channelPorts,
        c.publishingEvents,
        c.clock,
        pino({ level: 'silent' }),
        { ...c.dispatcher.opts, adapterTimeoutMs: 200 },
      );
      const account = await makeTestAccount(c, { endpoint: peer.url });
      const id = await makePublication(c, await makeArticle(c), account, c.clock.now());
      const report = await quick.dispatchDue();
      // Not sent again blindly: it may have gone out (see the contract test for a network that can be asked).
      expect(report.uncertain).toBe(1);
      expect((await statusOf(id)).status).toBe('uncertain');
      expect(shown(await statusOf(id))).toContain('Le réseau n’a pas répondu à temps et ne permet pas de vérifier si la publication est partie.');
    } finally {
      await peer.close();
    }
  });

  it('marks a publication left "sending" by a crash as uncertain and never resends it by itself', async () => {
    const account = await makeTestAccount(ctx.c);
    const id = await makePublication(ctx.c, await makeArticle(ctx.c), account, ctx.clock.now());
    expect(await ctx.c.publications.claim(id, 'crashed-instance', ctx.clock.now())).toBe(true);
    ctx.clock.advance(ctx.c.config.publishing.sendingTimeoutMs + 1000);
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report.uncertain).toBe(1);
    expect((await statusOf(id)).status).toBe('uncertain');
    expect(ctx.testAdapter.delivered).toHaveLength(0);
    expect((await ctx.c.publishing.needsAttention()).map((p) => p.id)).toEqual([id]);
  });

  it('puts a site page cut short by a crash online by itself, at once when the claimer is a dead process here', async () => {
    const site = ((await ctx.c.db('channel_accounts').where({ channel: 'site' }).first('id')) as { id: number }).id;
    const article = await makeArticle(ctx.c, { title: 'Coupure d’eau' });
    const id = await makePublication(ctx.c, article, site, ctx.clock.now());
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    expect(await ctx.c.publications.claim(id, `${os.hostname()}-${dead}-abcdef`, ctx.clock.now())).toBe(true);
    // No waiting for the sending timeout: the claimer is known to be dead.
    const report = await ctx.c.dispatcher.dispatchDue();
    expect(report).toMatchObject({ resumed: 1, sent: 1, uncertain: 0 });
    expect((await statusOf(id)).status).toBe('sent');
  });

  it('leaves alone a row claimed by a live process until the sending timeout', async () => {
    const site = ((await ctx.c.db('channel_accounts').where({ channel: 'site' }).first('id')) as { id: number }).id;
    const id = await makePublication(ctx.c, await makeArticle(ctx.c), site, ctx.clock.now());
    expect(await ctx.c.publications.claim(id, `${os.hostname()}-${process.ppid}-abcdef`, ctx.clock.now())).toBe(true);
    expect(await ctx.c.dispatcher.dispatchDue()).toMatchObject({ resumed: 0, sent: 0 });
    expect((await statusOf(id)).status).toBe('sending');
    ctx.clock.advance(ctx.c.config.publishing.sendingTimeoutMs + 1000);
    expect(await ctx.c.dispatcher.dispatchDue()).toMatchObject({ resumed: 1, sent: 1 });
  });

  it('asks a network that can tell whether a post cut short by a crash arrived: sent ones are recorded, the others sent once', async () => {
    const peer = await startDeliveryPeer();
    try {
      const account = await makeTestAccount(ctx.c, { endpoint: peer.url, lookup: true });
      const ids = await Promise.all([1, 2].map(async () => makePublication(ctx.c, await makeArticle(ctx.c), account, ctx.clock.now())));
      for (const id of ids) expect(await ctx.c.publications.claim(id, 'other-machine-1-abcdef', ctx.clock.now())).toBe(true);
      peer.counts.set(ids[0]!, 1); // the first one reached the network before the crash
      ctx.clock.advance(ctx.c.config.publishing.sendingTimeoutMs + 1000);
      const report = await ctx.c.dispatcher.dispatchDue();
      expect(report).toMatchObject({ resumed: 2, sent: 1, uncertain: 0 });
      expect((await statusOf(ids[0]!)).status).toBe('sent');
      expect((await statusOf(ids[0]!)).externalId).toBe(`post-${ids[0]}`);
      expect((await statusOf(ids[1]!)).status).toBe('sent');
      expect(ids.map((id) => peer.counts.get(id))).toEqual([1, 1]);
    } finally {
      await peer.close();
    }
  });

  it('asks again later when the network does not answer the look-up, never sends blindly, and leaves it to a person after the last try', async () => {
    const peer = await startDeliveryPeer();
    try {
      const account = await makeTestAccount(ctx.c, { endpoint: peer.url, lookup: true });
      const [arrived, stuck] = await Promise.all([1, 2].map(async () => makePublication(ctx.c, await makeArticle(ctx.c), account, ctx.clock.now())));
      for (const id of [arrived!, stuck!]) expect(await ctx.c.publications.claim(id, 'other-machine-1-abcdef', ctx.clock.now())).toBe(true);
      peer.counts.set(arrived!, 1); // it reached the network before the crash
      peer.lookupDown = true;
      const later = () => ctx.clock.advance(ctx.c.config.publishing.sendingTimeoutMs + 1000);
      later();
      expect(await ctx.c.dispatcher.dispatchDue()).toMatchObject({ retrying: 2, uncertain: 0, resumed: 0 });
      const waiting = await statusOf(arrived!);
      expect(waiting.status).toBe('sending');
      expect(shown(waiting)).toContain('Crieur lui reposera la question dans quelques minutes, sans la renvoyer d’ici là.');
      // Not asked again before the sending timeout has passed once more.
      expect(await ctx.c.dispatcher.dispatchDue()).toMatchObject({ retrying: 0, resumed: 0, uncertain: 0 });

      peer.lookupDown = false;
      later();
      expect(await ctx.c.dispatcher.dispatchDue()).toMatchObject({ resumed: 2, sent: 1, uncertain: 0 });
      expect(await statusOf(arrived!)).toMatchObject({ status: 'sent', externalId: `post-${arrived}` });
      expect(await statusOf(stuck!)).toMatchObject({ status: 'sent' });
      expect([peer.counts.get(arrived!), peer.counts.get(stuck!)]).toEqual([1, 1]); // found, or sent once

      // A network that never answers: after maxAttempts questions, a person decides.
      const [third] = await Promise.all([1].map(async () => makePublication(ctx.c, await makeArticle(ctx.c), account, ctx.clock.now())));
      expect(await ctx.c.publications.claim(third!, 'other-machine-1-abcdef', ctx.clock.now())).toBe(true);
      peer.lookupDown = true;
      for (let i = 0; i < ctx.c.config.publishing.maxAttempts && (await statusOf(third!)).status === 'sending'; i++) {
        later();
        await ctx.c.dispatcher.dispatchDue();
      }
      const given = await statusOf(third!);
      expect(given.status).toBe('uncertain');
      expect(shown(given)).toContain('Le réseau n’a pas répondu à temps et ne permet pas de vérifier si la publication est partie.');
      expect(peer.counts.get(third!)).toBeUndefined(); // never sent blindly
    } finally {
      await peer.close();
    }
  });

  it('puts a publication back to pending when it cannot be prepared (the database failed before anything was sent)', async () => {
    const c = ctx.c;
    const broken = async () => {
      throw new Error('database unavailable');
    };
    const dispatcher = new Dispatcher(
      c.publications,
      c.accounts,
      c.adapters,
      broken,
      c.channelPorts,
      c.publishingEvents,
      c.clock,
      pino({ level: 'silent' }),
      c.dispatcher.opts,
    );
    const id = await makePublication(c, await makeArticle(c), await makeTestAccount(c), c.clock.now());
    expect((await dispatcher.dispatchDue()).retrying).toBe(1);
    const p = await statusOf(id);
    expect(p.status).toBe('pending');
    expect(p.attempts).toBe(0);
    expect(ctx.testAdapter.delivered).toHaveLength(0);
    ctx.clock.advance(minutes(5));
    expect((await c.dispatcher.dispatchDue()).sent).toBe(1);
  });

  it('holds a publication found hours after its time until someone confirms it', async () => {
    const account = await makeTestAccount(ctx.c);
    const id = await makePublication(ctx.c, await makeArticle(ctx.c), account, new Date(ctx.clock.now().getTime() - 7 * 3600_000));
    await ctx.c.dispatcher.dispatchDue();
    const held = await statusOf(id);
    expect(held.status).toBe('held');
    expect(shown(held)).toContain('confirmez l’envoi pour qu’elle parte maintenant');
    expect(ctx.testAdapter.delivered).toHaveLength(0);

    await ctx.c.publishing.confirmLate(id, { id: null, label: 'test' });
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(id)).status).toBe('sent');
  });

  it('delivers each publication once when two dispatchers race on the same rows', async () => {
    const account = await makeTestAccount(ctx.c);
    const ids: number[] = [];
    for (let i = 0; i < 60; i++) ids.push(await makePublication(ctx.c, await makeArticle(ctx.c), account, ctx.clock.now()));
    const c = ctx.c;
    const other = new Dispatcher(
      c.publications,
      c.accounts,
      c.adapters,
      c.publishable,
      c.channelPorts,
      c.publishingEvents,
      c.clock,
      pino({ level: 'silent' }),
      { ...c.dispatcher.opts, instance: 'other' },
    );
    const [a, b] = await Promise.all([c.dispatcher.dispatchDue(), other.dispatchDue()]);
    expect(a.sent + b.sent).toBe(60);
    const counts = new Map<number, number>();
    for (const d of ctx.testAdapter.delivered) counts.set(d.publicationId, (counts.get(d.publicationId) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.size).toBe(60);
  });
});

describe('scheduling across the summer-time changes (Europe/Paris)', () => {
  it('sends a publication set at 02:30 on the night clocks go forward at 03:30 summer time, once', async () => {
    const at = fromLocalInput('2026-03-29T02:30', 'Europe/Paris')!;
    expect(at.toISOString()).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST: 02:30 does not exist that night
    ctx.clock.set(new Date('2026-03-29T00:00:00.000Z'));
    const account = await makeTestAccount(ctx.c);
    const id = await makePublication(ctx.c, await makeArticle(ctx.c), account, at);
    ctx.clock.set(new Date('2026-03-29T01:29:59.000Z'));
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(id)).status).toBe('pending');
    ctx.clock.set(new Date('2026-03-29T01:30:00.000Z'));
    await ctx.c.dispatcher.dispatchDue();
    ctx.clock.set(new Date('2026-03-29T02:30:00.000Z'));
    await ctx.c.dispatcher.dispatchDue();
    expect((await statusOf(id)).status).toBe('sent');
    expect(ctx.testAdapter.delivered).toHaveLength(1);
  });

  it('sends a publication set at 02:30 on the night clocks go back at the first 02:30, once', async () => {
    const at = fromLocalInput('2026-10-25T02:30', 'Europe/Paris')!;
    expect(at.toISOString()).toBe('2026-10-25T00:30:00.000Z'); // first 02:30, still summer time (UTC+2)
    ctx.clock.set(new Date('2026-10-24T22:00:00.000Z'));
    const account = await makeTestAccount(ctx.c);
    const id = await makePublication(ctx.c, await makeArticle(ctx.c), account, at);
    for (const t of ['2026-10-25T00:29:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z', '2026-10-25T02:30:00.000Z']) {
      ctx.clock.set(new Date(t));
      await ctx.c.dispatcher.dispatchDue();
      if (t === '2026-10-25T00:29:00.000Z') expect((await statusOf(id)).status).toBe('pending');
    }
    expect((await statusOf(id)).sentAt!.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(ctx.testAdapter.delivered).toHaveLength(1);
  });
});

function startPeer(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/deliver`,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
