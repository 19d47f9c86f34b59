import request from 'supertest';
import { findJob } from '../jobs';
import { loadDemoIfEmpty } from '../server/demo/demo.service';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { campaignWith, openWindow, seedSubscribers } from './helpers/newsletter-send';

/**
 * The demo commune's urgent alert goes out on the first start, when nobody has subscribed yet.
 * A campaign that reached no subscriber takes no newsletter number: the staff see it as sent to
 * nobody, the public archive does not list it, and the first letter a resident receives is n° 1.
 */
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(new Date('2026-11-22T09:00:00.000Z'));
}, 60_000);
afterAll(async () => {
  // The demo's pictures are still being resized on a busy machine.
  await ctx.c.media.idle();
  await ctx.close();
}, 180_000);

const job = (name: string) => findJob(name)!.run(ctx.c);

describe('a campaign that reached nobody', () => {
  it('is shown as sent to nobody, without a number; the first letter a resident receives is n° 1', async () => {
    expect(await loadDemoIfEmpty(ctx.c)).toBe(true);
    // The scheduler's first rounds: the urgent article's alert starts, with no subscriber yet.
    await job('dispatch-publications');
    await ctx.c.campaigns.idle();
    await job('send-campaigns');
    await ctx.c.campaigns.idle();

    const { rows } = await ctx.c.campaigns.list({ limit: 10, offset: 0 });
    const alert = rows.find((r) => r.kind === 'alert');
    expect(alert).toBeDefined();
    expect(alert!.status).toBe('sent');
    expect(alert!.number).toBeNull();

    const admin = await loginAs(ctx, 'admin');
    const list = await admin.agent.get('/admin/newsletter').expect(200);
    const row = list.text.split('<tr>').find((r) => r.includes(`/admin/newsletter/${alert!.id}"`))!;
    expect(row).toContain('Alerte');
    expect(row).not.toMatch(/n°/);
    expect(row).toContain('Envoyée à personne : aucun abonné');
    expect(list.text).not.toMatch(/n°(\s|&nbsp;|\u202f|\u00a0)*1\b/);
    const shown = await admin.agent.get(`/admin/newsletter/${alert!.id}`).expect(200);
    expect(shown.text).not.toContain('Numéro');
    expect((await request(ctx.handler).get('/lettres/1')).status).toBe(404);

    // The urgent article's newsletter publication is settled (nothing failed), with no letter to point at.
    const pubs = await ctx.c.publications.forArticles((await ctx.c.campaigns.articlesOf(alert!.id)).map((a) => a.articleId));
    const letter = pubs.find((p) => p.channel === 'newsletter')!;
    expect(letter.status).toBe('sent');
    expect(letter.externalUrl).toBeNull();

    // Now a resident has subscribed: the next letter reaches them and is the first numbered one.
    await openWindow(ctx.c);
    const topics = ((await ctx.c.db('categories').select('id')) as { id: number }[]).map((r) => Number(r.id));
    await seedSubscribers(ctx.c, 1, { topics, prefix: 'premiere' });
    const id = await campaignWith(ctx.c, [topics[0]!], 'La première lettre');
    await ctx.c.campaigns.schedule(id, null, { id: null, label: 'test' });
    await ctx.c.campaigns.idle();
    await job('send-campaigns');
    await ctx.c.outbox.idle();
    const first = await ctx.c.campaigns.get(id);
    expect(first?.status).toBe('sent');
    expect(first?.number).toBe(1);
    const archive = await request(ctx.handler).get('/lettres/1');
    expect(archive.status).toBe(200);
    expect(archive.text).toContain('La première lettre');
  }, 120_000);
});
