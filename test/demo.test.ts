import request from 'supertest';
import { createTestContext, type TestContext } from './helpers/context';
import { loadDemoIfEmpty } from '../server/demo/demo.service';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(new Date('2026-11-22T09:00:00.000Z'));
});
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
});

describe('the demo commune', () => {
  it('loads illustrated news over several categories, some published in the past and some scheduled, once', async () => {
    expect(await loadDemoIfEmpty(ctx.c)).toBe(true);
    expect((await ctx.c.settings.get()).name).toBe('Villeneuve-sur-Lizonne');

    const { rows, total } = await ctx.c.articles.list({ limit: 100, offset: 0 });
    expect(total).toBeGreaterThanOrEqual(15);
    expect(new Set(rows.map((a) => a.categoryId)).size).toBeGreaterThanOrEqual(4);
    const now = ctx.clock.now();
    const published = rows.filter((a) => a.status === 'published');
    expect(published.filter((a) => a.publishAt! <= now).length).toBeGreaterThanOrEqual(5);
    expect(published.filter((a) => a.publishAt! > now).length).toBeGreaterThanOrEqual(3);
    expect(rows.some((a) => a.urgent)).toBe(true);
    expect(rows.every((a) => a.heroMediaId && a.heroAlt.length > 10)).toBe(true);

    // The past is history (already on the site), the future is scheduled.
    const pubs = await ctx.c.publications.forArticles(published.map((a) => a.id));
    const past = pubs.filter((p) => p.scheduledAt <= now);
    expect(past.every((p) => p.status === 'sent')).toBe(true);
    expect(pubs.filter((p) => p.scheduledAt > now).every((p) => p.status === 'pending')).toBe(true);
    expect((await ctx.c.dispatcher.dispatchDue()).held).toBe(0);

    const media = await ctx.c.media.list({ limit: 50, offset: 0 });
    expect(media.total).toBeGreaterThanOrEqual(4);
    await Promise.all(media.rows.map((m) => ctx.c.media.whenReady(m.id)));
    const ready = await ctx.c.media.findById(media.rows[0]!.id);
    expect(ready!.status).toBe('ready');
    expect(ready!.variants.some((v) => v.kind === 'social' && v.width === 1200 && v.height === 630)).toBe(true);

    // A newcomer's first look at the site shows what an alert looks like.
    const home = await request(ctx.app).get('/');
    expect(/<section class="urgent"[\s\S]*?<\/section>/.exec(home.text)?.[0]).toContain('Vigilance orange vent violent');

    expect(await loadDemoIfEmpty(ctx.c)).toBe(false);
  }, 120_000);
});
