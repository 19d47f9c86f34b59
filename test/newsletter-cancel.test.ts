import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { categoryIds, illustratedArticle, newsletterAccount } from './helpers/campaigns';

/**
 * A cancelled letter does not strand its articles: their newsletter publications, accepted by the
 * channel (`queued`), go with the next letter and become sent when it has gone out, instead of
 * waiting for a delivery report that a cancelled campaign never gives.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
});

it('puts the articles of a cancelled digest in the next one, which reports them sent', async () => {
  const topics = await categoryIds(ctx.c);
  const article = await illustratedArticle(ctx.c, { title: 'Marché de printemps', categoryId: topics[0]! });
  const now = ctx.clock.now();
  const site = (await ctx.c.db('channel_accounts').where({ channel: 'site' }).first('id')) as { id: number };
  await ctx.c.publications.insert({ articleId: article, accountId: site.id, channel: 'site', textVariant: null, scheduledAt: now, status: 'sent' }, now);
  const pub = await ctx.c.publications.insert(
    { articleId: article, accountId: await newsletterAccount(ctx.c), channel: 'newsletter', textVariant: null, scheduledAt: now },
    now,
  );
  expect((await ctx.c.dispatcher.dispatchDue()).queued).toBe(1);

  ctx.clock.set(new Date('2026-03-20T09:05:00.000Z')); // Friday 10:05 in Paris: the digest's time
  const cancelled = (await ctx.c.campaigns.buildDueDigest())!;
  expect(cancelled).not.toBeNull();
  const { agent } = await loginAs(ctx, 'editor');
  const page = await agent.get(`/admin/newsletter/${cancelled}`);
  expect(page.text).toContain('Ses articles partiront avec la lettre suivante.');
  await ctx.c.campaigns.cancel(cancelled, { id: null, label: 'test' });
  expect((await ctx.c.publications.get(pub))?.status).toBe('queued');
  expect(await ctx.c.campaigns.buildDueDigest()).toBeNull(); // the same slot is not built twice

  ctx.clock.set(new Date('2026-03-27T09:05:00.000Z')); // the next Friday
  const next = (await ctx.c.campaigns.buildDueDigest())!;
  expect(next).not.toBeNull();
  expect((await ctx.c.campaigns.articlesOf(next)).map((a) => a.publicationId)).toEqual([pub]);
  expect((await ctx.c.campaigns.campaignOfPublication(pub))?.id).toBe(next);
  await ctx.c.campaignRenderer.prepare(next);
  await ctx.c.campaigns.markSent(next, ctx.clock.now());
  expect(await ctx.c.publications.get(pub)).toMatchObject({ status: 'sent', externalUrl: expect.stringMatching(/^http:\/\/crieur\.test\/lettres\/\d+$/) });
});
