import request from 'supertest';
import { simpleParser } from 'mailparser';
import { frenchSpacing, frenchSpacingHtml, NBSP, NNBSP } from '../server/i18n/typography';
import { articlePath } from '../server/articles/article-url';
import { createTestContext, type TestContext } from './helpers/context';
import { publishArticle } from './helpers/site-data';
import { campaignWith, openWindow, seedSubscribers } from './helpers/newsletter-send';
import { categoryIds } from './helpers/campaigns';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink';

const TITLE = 'Travaux : la rue de la Gare fermée ! Pourquoi ? « Sécurité »';
// What a reader gets: a no-break space before the colon and inside « », a narrow one before ! and ?
const TYPESET = `Travaux${NBSP}: la rue de la Gare fermée${NNBSP}! Pourquoi${NNBSP}? «${NBSP}Sécurité${NBSP}»`;

describe('French spacing rules', () => {
  it('turns the space before ; : ! ? into a no-break one, and adds them inside « »', () => {
    expect(frenchSpacing(TITLE)).toBe(TYPESET);
    expect(frenchSpacing('Horaires ; accueil')).toBe(`Horaires${NNBSP}; accueil`);
    expect(frenchSpacing('«Bonjour»')).toBe(`«${NBSP}Bonjour${NBSP}»`);
    // Typed twice: the same result (nothing stacks up).
    expect(frenchSpacing(frenchSpacing(TITLE))).toBe(TYPESET);
  });

  it('adds no space where the writer put none, and never touches an address', () => {
    for (const s of ['Rendez-vous à 10:30', 'Voir https://exemple.fr/a?b=1&c=2:3 !', 'mailto:mairie@exemple.fr', 'www.exemple.fr/?q=a:b']) {
      const out = frenchSpacing(s);
      expect(out.replace(/[\u00A0\u202F]/g, ' ')).toBe(s);
      for (const url of s.match(/https?:\S+|mailto:\S+|www\.\S+/g) ?? []) expect(out).toContain(url);
    }
  });

  it('touches the text of HTML only: not tags, attributes, comments, code or scripts', () => {
    const html = [
      '<h1 title="A : B !">Titre : sous-titre !</h1>',
      '<a href="https://exemple.fr/?a=b : c">lien : ici</a>',
      '<p>Code <code>a : b ? c</code> et <pre>x ; y\n<b>z ! w</b></pre> fin ?</p>',
      '<script type="application/ld+json">{"headline": "Titre : sous-titre !"}</script>',
      '<!-- note : rien ! -->',
      '<input value="q : r">',
    ].join('');
    expect(frenchSpacingHtml(html)).toBe(
      [
        `<h1 title="A : B !">Titre${NBSP}: sous-titre${NNBSP}!</h1>`,
        `<a href="https://exemple.fr/?a=b : c">lien${NBSP}: ici</a>`,
        `<p>Code <code>a : b ? c</code> et <pre>x ; y\n<b>z ! w</b></pre> fin${NNBSP}?</p>`,
        '<script type="application/ld+json">{"headline": "Titre : sous-titre !"}</script>',
        '<!-- note : rien ! -->',
        '<input value="q : r">',
      ].join(''),
    );
  });
});

describe('French spacing where readers read it', () => {
  let ctx: TestContext;
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
    ctx = await createTestContext({ SMTP_URL: sink.url, SMTP_FROM: 'Mairie <mairie@commune.test>' });
  });
  afterAll(async () => {
    await ctx.close();
    await sink.close();
  });

  it('shows a title that never breaks before its colon on the article page, and keeps the stored text, the links and the code as typed', async () => {
    const article = await publishArticle(ctx.c, {
      title: TITLE,
      summary: 'Que faire ? Suivez la déviation.',
      bodyMd: 'Attention : la déviation passe par [le plan : ici](https://exemple.fr/plan?rue=gare:nord).\n\n`code : brut`',
    });
    const page = await request(ctx.handler).get(articlePath(article.slug));
    expect(page.status).toBe(200);
    expect(page.text).toContain(`>${TYPESET}</h1>`);
    expect(page.text).toContain(`Attention${NBSP}: la déviation passe par <a href="https://exemple.fr/plan?rue=gare:nord"`);
    expect(page.text).toContain(`le plan${NBSP}: ici</a>`);
    expect(page.text).toContain('<code>code : brut</code>');
    // Attributes (the page's social card) keep the title as typed.
    expect(page.text).toContain(`<meta property="og:title" content="${TITLE}">`);
    // Stored as typed.
    expect((await ctx.c.articles.get(article.id))?.title).toBe(TITLE);
  });

  it('sends the same title in the RSS feed', async () => {
    const feed = await request(ctx.handler).get('/rss.xml');
    expect(feed.status).toBe(200);
    expect(feed.text).toContain(`<title>${TYPESET}</title>`);
    expect(feed.text).toContain(`<description>Que faire${NNBSP}? Suivez la déviation.</description>`);
    expect(feed.text).toContain(`Attention${NBSP}: la déviation`);
    expect(feed.text).toContain('https://exemple.fr/plan?rue=gare:nord');
  });

  it('sends it in the newsletter as a resident receives it, in the HTML and the text part', async () => {
    await openWindow(ctx.c);
    const [culture] = await categoryIds(ctx.c);
    const [sub] = await seedSubscribers(ctx.c, 1, { topics: [culture as number], prefix: 'typo' });
    // campaignWith titles its articles "Nouvelle 1 : travaux rue des Écoles".
    const id = await campaignWith(ctx.c, [culture as number]);
    await ctx.c.campaignSender.start(id);
    await ctx.c.campaignSender.run();
    const raw = sink.messages.find((m) => m.rcptTo === sub!.email)!.raw;
    const mail = await simpleParser(raw);
    expect(mail.html).toContain(`Nouvelle 1${NBSP}: travaux rue des Écoles`);
    expect(mail.text).toContain(`Nouvelle 1${NBSP}: travaux rue des Écoles`);
    expect(mail.html).not.toMatch(/Nouvelle 1 :/);
  });
});
