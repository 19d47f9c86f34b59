import mjml2html from 'mjml';
import type { Browser } from 'playwright-core';
import { createTestContext, type TestContext } from './helpers/context';
import { axeViolations, browserAvailable, describeViolations, isolatedContext, launchBrowser, serve } from './helpers/browser';
import { categoryIds, illustratedArticle, LINKS, recipient } from './helpers/campaigns';
import { CampaignRenderer, type RenderedCampaign } from '../server/newsletter/campaign-renderer';
import { CampaignsRepository } from '../server/newsletter/campaigns.repository';
import { plainSpaces } from './helpers/typography';

/**
 * What a resident receives: the e-mail of a 6-article digest and of an alert, as the renderer
 * builds them (MJML compiled once, copies personalised from pre-cut pieces), checked the way mail
 * clients and assistive technologies read them, and in a real browser with axe-core.
 */
let ctx: TestContext;
let topics: number[];
let digest: RenderedCampaign;
let alert: RenderedCampaign;
let digestId: number;
const system = { id: null, label: 'test' };

beforeAll(async () => {
  ctx = await createTestContext();
  topics = await categoryIds(ctx.c);
  const ids: number[] = [];
  for (let i = 0; i < 6; i++) ids.push(await illustratedArticle(ctx.c, { title: `Nouvelle ${i} de la commune`, categoryId: topics[i % 3]! }));
  digestId = await ctx.c.campaigns.create(
    { subject: 'La lettre de mars', intro: 'Bonjour à toutes et à tous.\n\nVoici les nouvelles.', articleIds: ids },
    system,
  );
  digest = await ctx.c.campaignRenderer.preview(digestId);
  const urgent = await illustratedArticle(ctx.c, { title: 'Coupure d’eau rue des Écoles', categoryId: topics[0]!, urgent: true });
  const pub = await ctx.c.publications.insert(
    {
      articleId: urgent,
      accountId: (await ctx.c.accounts.list()).find((a) => a.channel === 'newsletter')!.id,
      channel: 'newsletter',
      textVariant: null,
      scheduledAt: ctx.clock.now(),
    },
    ctx.clock.now(),
  );
  alert = await ctx.c.campaignRenderer.preview(await ctx.c.campaigns.alertFor(urgent, pub));
}, 120_000);

afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
});

const everyTopic = () => recipient({ topics });

describe('the rendered e-mail', () => {
  it('is compiled once per campaign, and each copy is personalised without compiling again', async () => {
    // A renderer of its own: the container's is also used by the sender, which starts the alert.
    const renderer = new CampaignRenderer({
      baseUrl: 'http://crieur.test',
      trackingSecret: 'secret',
      repo: new CampaignsRepository(ctx.c.db),
      articles: ctx.c.articles,
      media: ctx.c.media,
      settings: ctx.c.settings,
    });
    const prepared = await renderer.preview(digestId);
    expect(renderer.compilations).toBe(1);
    for (let i = 0; i < 50; i++) prepared.personalise(recipient({ id: i, topics }), LINKS);
    expect(renderer.compilations).toBe(1);
  });

  it('stays under 102 KB for a 6-article digest with pictures, in French, with headings in order', () => {
    const { html } = digest.personalise(everyTopic(), LINKS);
    expect(Buffer.byteLength(html)).toBeLessThan(102 * 1024);
    expect(html).toMatch(/<html[^>]* lang="fr"/);
    const levels = [...html.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));
    expect(levels[0]).toBe(1);
    expect(levels.filter((l) => l === 1)).toHaveLength(1);
    for (let i = 1; i < levels.length; i++) expect(levels[i]! - levels[i - 1]!).toBeLessThanOrEqual(1);
    expect(levels.filter((l) => l === 2)).toHaveLength(6);
  });

  it('gives every article its picture (absolute address, alt text), its summary and a link that carries ref=newsletter', async () => {
    const { html } = digest.personalise(everyTopic(), LINKS);
    const images = [...html.matchAll(/<img [^>]*>/g)].map((m) => m[0]);
    const articleImages = images.filter((i) => i.includes('/media/'));
    expect(articleImages).toHaveLength(6);
    for (const img of articleImages) {
      expect(img).toMatch(/src="http:\/\/crieur\.test\/media\/\d+\/[^"]+\.jpg"/);
      expect(img).toMatch(/alt="Illustration de « Nouvelle \d de la commune »"/);
    }
    for (const img of images) expect(img).toMatch(/ alt="/);
    for (let i = 0; i < 6; i++) expect(plainSpaces(html)).toContain(`Résumé de « Nouvelle ${i} de la commune ».`);
    // The links go through Crieur's redirect, which leads to the article with ref=newsletter.
    expect(digest.links).toHaveLength(6);
    for (const link of digest.links) {
      expect(link.url).toMatch(/^http:\/\/crieur\.test\/actualites\/[^?]+\?ref=newsletter$/);
      expect(html).toContain(`href="http://crieur.test/l/${digestId}/${link.id}"`);
    }
  });

  it('marks every layout table as presentation', () => {
    for (const campaign of [digest, alert]) {
      const { html } = campaign.personalise(everyTopic(), LINKS);
      const tables = [...html.matchAll(/<table\b[^>]*>/g)].map((m) => m[0]);
      expect(tables.length).toBeGreaterThan(5);
      expect(tables.filter((t) => !t.includes('role="presentation"'))).toEqual([]);
    }
  });

  it('has a plain-text part with the same articles, the links and the unsubscribe link', () => {
    const { text } = digest.personalise(recipient({ topics: [topics[0]!] }), LINKS);
    expect(text).toContain('Nouvelle 0 de la commune');
    expect(text).toContain('Nouvelle 3 de la commune');
    expect(text).not.toContain('Nouvelle 1 de la commune');
    expect(text).toMatch(new RegExp(`Lire l’article : http://crieur\\.test/l/${digestId}/\\d+\\n`));
    expect(plainSpaces(text)).toContain(`Me désabonner : ${LINKS.unsubscribeUrl}`);
    expect(plainSpaces(text)).toContain(`Gérer mon abonnement : ${LINKS.manageUrl}`);
    expect(text).not.toMatch(/<[a-z]/);
  });

  it('gives a digest subscriber only the articles of their topics, and an alert to everyone', () => {
    const one = recipient({ topics: [topics[1]!] });
    expect(digest.articlesFor(one)).toBe(2);
    const { html } = digest.personalise(one, LINKS);
    expect(html).toContain('Nouvelle 1 de la commune');
    expect(html).toContain('Nouvelle 4 de la commune');
    expect(html).not.toContain('Nouvelle 0 de la commune');
    expect(html).not.toContain('Nouvelle 2 de la commune');
    expect(digest.articlesFor(recipient({ topics: [] }))).toBe(0);
    expect(digest.articlesFor(recipient({ topics, alertsOnly: true }))).toBe(0);
    expect(digest.articlesFor(everyTopic())).toBe(6);
    // An alert goes to everyone, "alertes uniquement" and no topic included.
    expect(alert.articlesFor(recipient({ topics: [], alertsOnly: true }))).toBe(1);
    expect(alert.personalise(recipient({ topics: [], alertsOnly: true }), LINKS).html).toContain('Coupure d’eau rue des Écoles');
  });

  it('puts the person’s own links in their copy, and a tracking token only for someone who opted in', () => {
    const plain = digest.personalise(recipient({ id: 7, topics }), LINKS).html;
    expect(plain).toContain('href="http://crieur.test/lettre/desabonnement/SIGNED-UNSUB"');
    expect(plain).toContain('href="http://crieur.test/lettre/abonnement/SIGNED-MANAGE"');
    expect(plain).not.toContain('?t=');
    expect(plain).toContain(`src="http://crieur.test/o/${digestId}.gif"`);
    expect(plain).not.toContain('%%');
    const tracked = digest.personalise(recipient({ id: 7, topics, tracking: true }), LINKS).html;
    expect(tracked).toMatch(new RegExp(`href="http://crieur\\.test/l/${digestId}/\\d+\\?t=7\\.[A-Za-z0-9_-]{22}"`));
    expect(tracked).toMatch(new RegExp(`src="http://crieur\\.test/o/${digestId}\\.gif\\?t=7\\.`));
  });

  it('has a web version with every article and nobody’s personal links', () => {
    const { html, text } = digest.web();
    for (let i = 0; i < 6; i++) expect(html).toContain(`Nouvelle ${i} de la commune`);
    expect(html).not.toContain('SIGNED');
    expect(html).not.toContain('?t=');
    expect(html).not.toContain('/o/');
    expect(html).not.toContain('%%');
    expect(html).toContain('href="http://crieur.test/lettre"');
    expect(text).not.toContain('SIGNED');
  });

  it('writes hostile text as text: markup in a subject or an introduction never becomes markup', async () => {
    const id = await ctx.c.campaigns.create(
      {
        subject: 'Objet <b>gras</b> & "guillemets"',
        intro: '<script>alert(1)</script>\n\n<mj-section>casse</mj-section>',
        articleIds: [(await ctx.c.db('articles').first('id')).id],
      },
      system,
    );
    const { html, text } = (await ctx.c.campaignRenderer.preview(id)).personalise(everyTopic(), LINKS);
    expect(html).not.toMatch(/<script|<b>gras|<mj-/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<title>Objet &lt;b&gt;gras&lt;/b&gt; &amp; &#34;guillemets&#34;</title>');
    expect(text).toContain('<script>alert(1)</script>'); // the text part is plain text: shown as typed
  });

  it('fails on an MJML mistake instead of sending a broken e-mail', async () => {
    await expect(mjml2html('<mjml><mj-body><mj-section><mj-text>Oups</mj-text></mj-section></mj-body></mjml>', { validationLevel: 'strict' })).rejects.toThrow(
      /mj-text cannot be used inside mj-section/,
    );
  });

  it('personalises 10,000 copies from the prepared pieces', () => {
    let bytes = 0;
    for (let i = 0; i < 10_000; i++) bytes += digest.personalise(recipient({ id: i, topics: [topics[i % 3]!], tracking: i % 2 === 0 }), LINKS).html.length;
    expect(bytes).toBeGreaterThan(10_000 * 5_000);
  });
});

const describeBrowser = browserAvailable() ? describe : describe.skip;

describeBrowser('in a real browser, with axe-core', () => {
  let browser: Browser;
  let server: { origin: string; close(): Promise<void> };
  const pages: Record<string, string> = {};

  beforeAll(async () => {
    pages['/digest'] = digest.personalise(everyTopic(), LINKS).html;
    pages['/alert'] = alert.personalise(recipient({ topics: [], alertsOnly: true }), LINKS).html;
    // The e-mails as a mail client's web view shows them: the HTML alone, nothing else.
    server = await serve((req, res) => {
      const html = pages[req.url ?? ''];
      res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(html ?? '');
    });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it.each([['/digest'], ['/alert']])(
    'finds no WCAG 2.1 AA violation in %s, at a desktop and a phone width',
    async (path) => {
      for (const viewport of ['desktop', 'phone'] as const) {
        const { context } = await isolatedContext(browser, server.origin, { viewport, bypassCSP: true });
        try {
          const tab = await context.newPage();
          expect((await tab.goto(server.origin + path, { waitUntil: 'load' }))?.status()).toBe(200);
          expect(describeViolations(await axeViolations(tab))).toEqual([]);
        } finally {
          await context.close();
        }
      }
    },
    60_000,
  );
});
