import { simpleParser } from 'mailparser';
import request from 'supertest';
import { createTestContext, type TestContext } from './helpers/context';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink';
import { campaignWith, openWindow, seedSubscribers } from './helpers/newsletter-send';
import { categoryIds } from './helpers/campaigns';
import { startAppView, type LocalAppView } from './helpers/bluesky-appview';
import { makeArticle } from './helpers/factories';
import { METRIC_KINDS } from '../server/engagement/social-source';

// Every source of the engagement store, through the real paths: a campaign sent to a real SMTP
// server (deliveries per campaign and per article, a bounce), its links followed and its pixel
// loaded over HTTP, a complaint reported by the sending service's webhook, people joining and
// leaving the list; a social network's figures fetched from a local Bluesky AppView.

const SECRET = 'webhook-secret-long-enough-0123456789';

let sink: SmtpSink;
let appview: LocalAppView;
let ctx: TestContext;

beforeAll(async () => {
  sink = await startSmtpSink();
  appview = await startAppView();
  ctx = await createTestContext({ SMTP_URL: sink.url, NEWSLETTER_WEBHOOK_SECRET: SECRET, BLUESKY_APPVIEW_URL: appview.url });
  await openWindow(ctx.c);
});
afterAll(async () => {
  await ctx.close();
  await sink.close();
  await appview.close();
});

async function sums(where: Record<string, unknown>): Promise<Record<string, number>> {
  await ctx.c.engagement.flush();
  const rows: { kind: string; article_id: number | null; n: unknown }[] = await ctx.c
    .db('engagement_events')
    .where(where)
    .select('kind', 'article_id')
    .sum({ n: 'value' })
    .groupBy('kind', 'article_id');
  return Object.fromEntries(rows.map((r) => [r.article_id === null ? r.kind : `${r.kind}:${r.article_id}`, Number(r.n)]));
}

/** Listeners of a committed change run just after it: looked at until it shows (bounded). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
}

describe('the newsletter', () => {
  let campaignId: number;
  let articles: number[];

  it('counts the copies the mail server accepted, per campaign and per article they held, and the bounces', async () => {
    const c = ctx.c;
    const [culture, travaux] = (await categoryIds(c)) as [number, number];
    const both = await seedSubscribers(c, 2, { topics: [culture, travaux], prefix: 'deux' });
    await seedSubscribers(c, 3, { topics: [culture], prefix: 'culture' });
    const gone = (await seedSubscribers(c, 1, { topics: [travaux], prefix: 'parti' }))[0]!;
    sink.answer = (address) => (address === gone.email ? { code: 550, message: 'No such user here' } : 'accept');
    campaignId = await campaignWith(c, [culture, travaux]);
    articles = (await c.db('campaign_articles').where({ campaign_id: campaignId }).orderBy('position').pluck('article_id')) as number[];
    await c.campaignSender.start(campaignId);
    expect(await c.campaignSender.run()).toMatchObject({ sent: 5, bounced: 1 });
    expect(sink.messages).toHaveLength(5);

    const [first, second] = articles as [number, number];
    expect(await sums({ channel: 'newsletter', campaign_id: campaignId })).toEqual({
      delivery: 5,
      [`article_delivery:${first}`]: 5, // the culture article: both groups
      [`article_delivery:${second}`]: 2, // the works article: the two with both topics
      bounce: 1,
    });
    // The bounced address left the list: one departure, with no campaign and nobody named.
    await eventually(async () => (await sums({ channel: 'newsletter', kind: 'unsubscribe' })).unsubscribe === 1);
    expect(await sums({ channel: 'newsletter', kind: 'unsubscribe' })).toEqual({ unsubscribe: 1 });
    expect(both).toHaveLength(2);
  });

  it('counts the links followed in a letter for their article, and the anonymous opens', async () => {
    const raw = sink.messages[0]!.raw;
    const mail = await simpleParser(raw);
    const links = [...new Set([...String(mail.html).matchAll(/href="(http:\/\/crieur\.test\/l\/\d+\/\d+)[^"]*"/g)].map((m) => m[1]!))];
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      const res = await request(ctx.app).get(new URL(link).pathname);
      expect(res.status).toBe(302);
    }
    const firstLink = new URL(links[0]!).pathname;
    await request(ctx.app).get(firstLink).expect(302);
    const pixel = /src="http:\/\/crieur\.test(\/o\/\d+\.gif)[^"]*"/.exec(String(mail.html))![1]!;
    await request(ctx.app).get(pixel).expect(200);
    await request(ctx.app).get(pixel).expect(200);
    const counted = await sums({ channel: 'newsletter', campaign_id: campaignId });
    const clicks = Object.entries(counted).filter(([k]) => k.startsWith('click'));
    // Every link of this copy leads to one of the campaign's articles; the first was followed twice.
    expect(clicks.reduce((n, [, v]) => n + v, 0)).toBe(links.length + 1);
    for (const [k] of clicks) expect(articles.map((a) => `click:${a}`)).toContain(k);
    expect(counted.open).toBe(2);
  });

  it('counts a complaint reported by the sending service against its campaign, and the departure it causes', async () => {
    const victim = sink.messages[1]!;
    const mail = await simpleParser(victim.raw);
    await request(ctx.app)
      .post('/webhooks/newsletter/brevo')
      .set('Authorization', `Bearer ${SECRET}`)
      .send({ event: 'spam', email: victim.rcptTo, 'message-id': mail.messageId, 'X-Mailin-custom': String(mail.headers.get('x-mailin-custom')) })
      .expect(200);
    expect((await sums({ channel: 'newsletter', campaign_id: campaignId })).complaint).toBe(1);
    await eventually(async () => (await sums({ channel: 'newsletter', kind: 'unsubscribe' })).unsubscribe === 2);
    expect(await sums({ channel: 'newsletter', kind: 'unsubscribe' })).toEqual({ unsubscribe: 2 });
  });

  it('counts a confirmed subscription (not a pending one), an unsubscription and an erasure', async () => {
    const c = ctx.c;
    const [culture] = (await categoryIds(c)) as [number];
    const id = await c.db.transaction((trx) =>
      c.subscribers.requestConfirmation(
        trx,
        { email: 'nouvelle.habitante@exemple.test', topics: [culture], alertsOnly: false, source: 'form', wordingVersion: null, basis: null },
        'Villeneuve',
      ),
    );
    expect((await sums({ channel: 'newsletter', kind: 'subscribe' })).subscribe).toBeUndefined();
    const token = c.subscriberLinks.confirmUrl(id).split('/').pop()!;
    expect(await c.subscribers.confirm(token)).toBe('confirmed');
    expect(await c.subscribers.confirm(token)).toBe('already');
    await eventually(async () => (await sums({ channel: 'newsletter', kind: 'subscribe' })).subscribe === 1);
    expect(await sums({ channel: 'newsletter', kind: 'subscribe' })).toEqual({ subscribe: 1 });

    // The one-click unsubscription of RFC 8058, as mail software sends it.
    const unsubscribe = new URL(c.subscriberLinks.unsubscribeUrl(id)).pathname;
    await request(ctx.app).post(unsubscribe).type('form').send('List-Unsubscribe=One-Click').expect(200);
    await request(ctx.app).post(unsubscribe).type('form').send('List-Unsubscribe=One-Click'); // twice: counted once
    const culture2 = (await seedSubscribers(c, 1, { topics: [culture], prefix: 'efface' }))[0]!;
    await c.subscribersAdmin.erase(culture2.id, { id: null, label: 'test' });
    await eventually(async () => (await sums({ channel: 'newsletter', kind: 'unsubscribe' })).unsubscribe === 4);
    expect(await sums({ channel: 'newsletter', kind: 'unsubscribe' })).toEqual({ unsubscribe: 4 });
  });

  it('keeps nothing personal in any newsletter event', async () => {
    const rows = await ctx.c.db('engagement_events').where({ channel: 'newsletter' });
    expect(rows.length).toBeGreaterThan(0);
    const text = JSON.stringify(rows);
    expect(text).not.toContain('@');
    expect(text).not.toMatch(/exemple|habitant|deux\d|culture\d/);
    const subscriberIds = (await ctx.c.db('campaign_deliveries').pluck('subscriber_id')) as number[];
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(
        ['article_id', 'campaign_id', 'channel', 'day', 'demo', 'id', 'kind', 'occurred_at', 'publication_id', 'source', 'value'].sort(),
      );
      if (r.article_id !== null) expect(articles).toContain(r.article_id);
    }
    expect(subscriberIds.length).toBeGreaterThan(0);
  });
});

describe('a social network’s figures', () => {
  it('turns each snapshot fetched from the network into the growth of each kind since the last one', async () => {
    const c = ctx.c;
    const article = await makeArticle(c, {
      title: 'Nouveaux horaires de la piscine',
      status: 'published',
      publishAt: new Date(c.clock.now().getTime() - 3600_000),
    });
    const account = await c.accounts.insert(
      { channel: 'bluesky', label: '@mairie.bsky.social', settings: { service: 'https://bsky.social' }, credentials: { identifier: 'mairie', password: 'x' } },
      c.clock.now(),
    );
    const post = await c.publications.insert(
      { articleId: article, accountId: account, channel: 'bluesky', textVariant: null, scheduledAt: c.clock.now() },
      c.clock.now(),
    );
    const uri = 'at://did:plc:mairie/app.bsky.feed.post/3kxyz';
    await c.db('publications').where({ id: post }).update({ status: 'sent', external_id: uri, sent_at: c.clock.now().toISOString() });

    appview.counts.set(uri, { likeCount: 12, repostCount: 3, replyCount: 2, quoteCount: 1 });
    expect((await c.metrics.collect()).fetched).toBe(1);
    expect(await sums({ publication_id: post })).toEqual({
      [`reaction:${article}`]: 12,
      [`share:${article}`]: 3,
      [`reply:${article}`]: 2,
      [`quote:${article}`]: 1,
    });

    // Six hours later (Bluesky's cadence): three more likes, a reply deleted, the rest unchanged.
    appview.counts.set(uri, { likeCount: 15, repostCount: 3, replyCount: 1, quoteCount: 1 });
    ctx.clock.advance(6 * 3600_000 + 1000);
    expect((await c.metrics.collect()).fetched).toBe(1);
    const growth = await c
      .db('engagement_events')
      .where({ publication_id: post })
      .andWhere('occurred_at', '>', new Date(c.clock.now().getTime() - 60_000).toISOString())
      .select('kind', 'value', 'channel');
    expect(growth.map((g: { kind: string; value: unknown; channel: string }) => [g.channel, g.kind, Number(g.value)]).sort()).toEqual([
      ['bluesky', 'reaction', 3],
      ['bluesky', 'reply', -1],
    ]);
    // The sums are the latest figures.
    expect(await sums({ publication_id: post })).toEqual({
      [`reaction:${article}`]: 15,
      [`share:${article}`]: 3,
      [`reply:${article}`]: 1,
      [`quote:${article}`]: 1,
    });

    // The post is gone from the network: no snapshot, no event.
    appview.counts.delete(uri);
    ctx.clock.advance(6 * 3600_000 + 1000);
    await c.metrics.collect();
    expect(await sums({ publication_id: post })).toEqual({
      [`reaction:${article}`]: 15,
      [`share:${article}`]: 3,
      [`reply:${article}`]: 1,
      [`quote:${article}`]: 1,
    });
  });

  it('maps every network’s own names for its figures to the dashboard’s kinds in one table', () => {
    // Facebook, Mastodon, Bluesky and X, as their adapters return them.
    for (const name of ['reactions', 'comments', 'shares', 'impressions', 'favourites', 'reblogs', 'replies', 'quotes', 'likes', 'reposts'])
      expect(METRIC_KINDS[name]).toBeDefined();
    expect(METRIC_KINDS.favourites).toBe('reaction');
    expect(METRIC_KINDS.reblogs).toBe('share');
    expect(METRIC_KINDS.comments).toBe('reply');
    expect(METRIC_KINDS.impressions).toBe('impression');
  });
});
