import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import request from 'supertest';
import sharp from 'sharp';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { loadDemoIfEmpty } from '../server/demo/demo.service';
import type { ArticleInput } from '../server/articles/articles.types';
import { PublicArticlesRepository } from '../server/articles/public-articles.repository';
import { plainSpaces } from './helpers/typography';

const officer = { id: null, label: 'test' };

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext();
});
afterEach(async () => {
  await ctx.c.media.idle();
  await ctx.close();
});

async function categoryId(slug: string): Promise<number> {
  return (await ctx.c.articles.listCategories()).find((k) => k.slug === slug)!.id;
}

/** Writes, publishes and sends an article to the site, as the editor and the dispatcher would. */
async function publish(input: Partial<ArticleInput> & { title: string }) {
  const article = await ctx.c.articles.create({ summary: 'Résumé de l’article', bodyMd: 'Le texte de l’article.', ...input }, officer);
  await ctx.c.articles.transition(article.id, 'published', officer);
  await ctx.c.dispatcher.dispatchDue();
  return (await ctx.c.articles.get(article.id))!;
}

async function heroImage(): Promise<number> {
  const jpeg = await sharp({ create: { width: 1600, height: 1000, channels: 3, background: '#3a7a5a' } })
    .jpeg()
    .toBuffer();
  const item = await ctx.c.media.ingest(jpeg, 'place.jpg', { alt: 'La place', credit: 'Photo mairie' }, officer);
  await ctx.c.media.whenReady(item.id);
  return item.id;
}

// Through the front door, as `npm start` serves: a cached page is answered before Express.
const get = (path: string) => request(ctx.handler).get(path);
const mainOf = (html: string) => html.slice(html.indexOf('<main'), html.indexOf('</main>'));

describe('the public pages', () => {
  it('shows the latest news, the upcoming events, the categories and the accessibility status on the home page, without a cookie', async () => {
    await publish({ title: 'Travaux rue des Écoles', categoryId: await categoryId('travaux') });
    await publish({
      title: 'Marché de Noël',
      eventStart: new Date('2026-03-21T09:00:00Z'),
      eventEnd: new Date('2026-03-21T17:00:00Z'),
      eventPlace: 'Sous la halle',
    });
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.text).toContain('<html lang="fr">');
    expect(res.text).toContain('href="#contenu"');
    expect(res.text.match(/<h1[ >]/g)).toHaveLength(1);
    const main = mainOf(res.text);
    expect(main).toContain('Dernières actualités');
    expect(main).toContain('Travaux rue des Écoles');
    expect(main).toContain('Prochains événements');
    expect(main).toContain('samedi 21 mars 2026, de 10 h à 18 h'); // Europe/Paris, winter time
    expect(main).toContain('href="/actualites/categorie/travaux"');
    expect(main).toContain('Ce site n’est pas conforme au référentiel général d’amélioration de l’accessibilité (RGAA).');
    expect(plainSpaces(res.text)).toContain('Accessibilité : non conforme');
    expect(res.text).toContain('<link rel="canonical" href="http://crieur.test/">');
  });

  it('says so when nothing is published yet', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Aucune actualité n’est encore publiée.');
    expect(res.text).toContain('Aucun événement n’est annoncé pour le moment.');
  });

  it('shows an urgent article in the home banner for 72 hours', async () => {
    await publish({ title: 'Coupure d’eau rue Haute', urgent: true });
    const banner = (html: string) => /<section class="urgent"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    expect(banner((await get('/')).text)).toContain('Coupure d’eau rue Haute');
    ctx.clock.advance(73 * 3600_000);
    expect(banner((await get('/')).text)).toBe('');
  });

  it('lists the news twelve per page, with links to the previous and next pages', async () => {
    for (let i = 1; i <= 14; i++) {
      await publish({ title: `Nouvelle numéro ${i}` });
      ctx.clock.advance(60_000);
    }
    const first = await get('/actualites');
    expect(first.status).toBe(200);
    expect(first.text.match(/class="card"/g)).toHaveLength(12);
    expect(first.text).toContain('Nouvelle numéro 14');
    expect(first.text).not.toContain('Nouvelle numéro 2<');
    expect(first.text).toContain('href="/actualites?page=2" rel="next"');
    const second = await get('/actualites?page=2');
    expect(second.text.match(/class="card"/g)).toHaveLength(2);
    expect(second.text).toContain('Nouvelle numéro 1<');
    expect(second.text).toContain('href="/actualites" rel="prev"');
    expect(second.text).toContain('<link rel="canonical" href="http://crieur.test/actualites?page=2">');
    expect((await get('/actualites?page=3')).status).toBe(404);
    // The same page by another spelling is the same cache entry.
    const size = ctx.c.siteCache.size;
    expect((await get('/actualites?page=1&tri=inconnu')).text).toBe(first.text);
    expect(ctx.c.siteCache.size).toBe(size);
  });

  it('filters the news by category, each category at its own address', async () => {
    await publish({ title: 'Réfection du pont', categoryId: await categoryId('travaux') });
    await publish({ title: 'Concert d’été', categoryId: await categoryId('culture') });
    const res = await get('/actualites/categorie/travaux');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Travaux</h1>');
    expect(mainOf(res.text)).toContain('Réfection du pont');
    expect(mainOf(res.text)).not.toContain('Concert d’été');
    expect(res.text).toContain('http://crieur.test/actualites/categorie/travaux/rss.xml');
    const redirect = await get('/actualites?categorie=culture');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/actualites/categorie/culture');
    expect((await get('/actualites/categorie/inconnue')).status).toBe(404);
  });

  it('shows an article with its responsive hero image, its event, share links and related news', async () => {
    const hero = await heroImage();
    const culture = await categoryId('culture');
    await publish({ title: 'Exposition de peinture', categoryId: culture });
    const a = await publish({
      title: 'Concert de la Sainte-Cécile',
      categoryId: culture,
      heroMediaId: hero,
      heroAlt: 'Des musiciens sur scène',
      bodyMd: '## Programme\n\nDes marches et des musiques de film.',
      eventStart: new Date('2026-07-14T18:00:00Z'),
      eventEnd: new Date('2026-07-14T20:30:00Z'),
      eventPlace: 'Église Saint-Martin',
    });
    const res = await get(`/actualites/${a.slug}`);
    expect(res.status).toBe(200);
    const main = mainOf(res.text);
    expect(main).toContain('<h1>Concert de la Sainte-Cécile</h1>');
    expect(main).toMatch(/<source type="image\/avif" srcset="[^"]+\.avif 480w, [^"]+ 960w, [^"]+ 1600w" sizes="[^"]+">/);
    expect(main).toMatch(/<source type="image\/webp" srcset="[^"]+\.webp 480w/);
    expect(main).toMatch(
      /<img src="[^"]+\.jpg" srcset="[^"]+\.jpg 480w[^"]*" sizes="[^"]+" width="1600" height="1000" alt="Des musiciens sur scène" fetchpriority="high"/,
    );
    expect(plainSpaces(main)).toContain('Crédit : Photo mairie');
    expect(main).toContain('<h2>Programme</h2>');
    expect(main).toContain('mardi 14 juillet 2026, de 20 h à 22 h 30'); // Europe/Paris, summer time
    expect(main).toContain('Église Saint-Martin');
    expect(main).toContain(`href="/actualites/${a.slug}/evenement.ics"`);
    expect(main).toContain('https://www.facebook.com/sharer/sharer.php?u=http%3A%2F%2Fcrieur.test%2Factualites%2F');
    expect(main).toContain('https://bsky.app/intent/compose?text=');
    expect(main).toContain('href="mailto:?subject=');
    expect(main).toContain(`value="http://crieur.test/actualites/${a.slug}" readonly`);
    expect(main).toContain('À lire aussi');
    expect(main).toContain('Exposition de peinture');
    expect(main).toContain('aria-label="Fil d’Ariane"');
    expect(res.text).not.toMatch(/<script(?! type="application\/ld\+json")/);
    expect(res.text).toContain('"@type":"NewsArticle"');
  });

  it('lets a resident add an event to a calendar with a valid iCalendar file', async () => {
    const a = await publish({
      title: 'Repair café, salle des fêtes; apportez vos objets',
      summary: 'Réparer plutôt que jeter : vélos, petit électroménager, vêtements, jouets et bien d’autres choses encore, avec nos bénévoles.',
      eventStart: new Date('2026-04-04T12:00:00Z'),
      eventPlace: 'Salle des fêtes, rue du Stade',
    });
    const res = await get(`/actualites/${a.slug}/evenement.ics`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.headers['content-disposition']).toContain(`${a.slug}.ics`);
    const raw = res.text;
    expect(raw.endsWith('\r\n')).toBe(true);
    const physical = raw.split('\r\n').slice(0, -1);
    expect(physical.every((l) => Buffer.byteLength(l, 'utf8') <= 75)).toBe(true);
    expect(raw.replace(/\r\n/g, '')).not.toContain('\n');
    const lines = raw.replace(/\r\n /g, '').split('\r\n');
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines).toContain('VERSION:2.0');
    expect(lines).toContain('BEGIN:VEVENT');
    expect(lines).toContain('UID:article-' + a.id + '@crieur.test');
    expect(lines).toContain('DTSTAMP:20260315T090000Z');
    expect(lines).toContain('DTSTART:20260404T120000Z');
    expect(lines.some((l) => l === 'DTEND:20260404T130000Z' || l === 'DURATION:PT1H')).toBe(true);
    expect(lines).toContain('SUMMARY:Repair café\\, salle des fêtes\\; apportez vos objets');
    expect(lines).toContain('LOCATION:Salle des fêtes\\, rue du Stade');
    expect(lines).toContain(`URL:http://crieur.test/actualites/${a.slug}?ref=ical`);
    expect(lines.some((l) => l.startsWith('DESCRIPTION:Réparer plutôt que jeter'))).toBe(true);
    expect(lines[lines.length - 2]).toBe('END:VCALENDAR');

    const noEvent = await publish({ title: 'Sans événement' });
    expect((await get(`/actualites/${noEvent.slug}/evenement.ics`)).status).toBe(404);
  });

  it('never shows a draft, an archived article or one whose publication time has not come', async () => {
    const draft = await ctx.c.articles.create({ title: 'Brouillon secret', bodyMd: 'x' }, officer);
    const archived = await publish({ title: 'Article archivé' });
    await ctx.c.articles.transition(archived.id, 'archived', officer);
    const scheduled = await ctx.c.articles.create({ title: 'Annonce programmée', bodyMd: 'x', publishAt: new Date('2026-03-20T08:00:00Z') }, officer);
    await ctx.c.articles.transition(scheduled.id, 'published', officer);
    await ctx.c.dispatcher.dispatchDue();

    for (const a of [draft, archived, scheduled]) {
      const res = await get(`/actualites/${a.slug}`);
      expect(res.status).toBe(404);
      expect(res.text).toContain('Page introuvable');
    }
    for (const path of ['/', '/actualites', '/agenda', '/plan-du-site']) {
      const html = (await get(path)).text;
      expect(html).not.toContain('Brouillon secret');
      expect(html).not.toContain('Article archivé');
      expect(html).not.toContain('Annonce programmée');
    }

    ctx.clock.set(new Date('2026-03-20T08:00:30Z'));
    await ctx.c.dispatcher.dispatchDue();
    expect((await get(`/actualites/${scheduled.slug}`)).status).toBe(200);
    expect((await get('/')).text).toContain('Annonce programmée');
  });

  it('shows hostile HTML written in an article as harmless text, never as code', async () => {
    const a = await publish({
      title: 'Titre <script>alert("titre")</script>',
      bodyMd: 'Bonjour <script>alert(1)</script> <img src=x onerror="alert(2)"> [lien](javascript:alert(3)) <iframe src="https://evil.example"></iframe>',
    });
    const res = await get(`/actualites/${a.slug}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/<script>|onerror|javascript:|<iframe/i);
    expect(res.text).toContain('Titre &lt;script&gt;');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('shows the commune’s logo in the header once it is chosen in the settings', async () => {
    const logo = await heroImage();
    await ctx.c.settings.save({ ...(await ctx.c.settings.get()), logoMediaId: logo }, officer, { logoExists: async () => true });
    const home = (await get('/')).text;
    const header = /<header class="site-header">[\s\S]*?<\/header>/.exec(home)![0];
    expect(header).toMatch(/<img class="site-logo" src="\/media\/[^"]+" width="\d+" height="\d+" alt="">/);
    // Shared on a social network, the home page shows the logo's social card.
    const image = /<meta property="og:image" content="(http:\/\/crieur\.test\/media\/[^"]+)">/.exec(home);
    expect(image).not.toBeNull();
    expect(home).toContain('<meta property="og:image:width" content="1200">');
    expect(home).toContain('<meta property="og:image:height" content="630">');
    expect(home).toContain('<meta name="twitter:card" content="summary_large_image">');
    const card = await get(new URL(image![1]!).pathname);
    expect(card.status).toBe(200);
    expect(card.headers['content-type']).toMatch(/^image\//);
  });

  it('shares the home page without an image while the commune has no logo', async () => {
    const home = (await get('/')).text;
    expect(home).not.toContain('og:image');
    expect(home).toContain('<meta name="twitter:card" content="summary">');
  });

  it('links the commune’s colours at an address that changes with them, so browsers may keep each one for good', async () => {
    const home = (await get('/')).text;
    const href = /<link rel="stylesheet" href="(\/theme-[0-9a-f]{12}\.css)">/.exec(home)?.[1];
    expect(href).toBeDefined();
    const css = await get(href!);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(css.headers['set-cookie']).toBeUndefined();
    expect(css.text).toContain(`--primary:${(await ctx.c.settings.get()).colors.primary};`);

    await ctx.c.settings.save(
      { ...(await ctx.c.settings.get()), colors: { ...(await ctx.c.settings.get()).colors, primary: '#004d40', onPrimary: '#ffffff' } },
      officer,
    );
    for (const page of ['/', '/agenda', '/cette-page-nexiste-pas']) {
      const next = /<link rel="stylesheet" href="(\/theme-[0-9a-f]{12}\.css)">/.exec((await get(page)).text)?.[1];
      expect(next).toBeDefined();
      expect(next).not.toBe(href);
      const fresh = await get(next!);
      expect(fresh.text).toContain('--primary:#004d40;');
      expect(fresh.headers['cache-control']).toContain('immutable');
    }
    // The old address (a page still open somewhere) gets today's colours, not to be kept.
    const old = await get(href!);
    expect(old.status).toBe(200);
    expect(old.text).toContain('--primary:#004d40;');
    expect(old.headers['cache-control']).toBe('no-cache');
  });

  it('answers an unexpected failure with the site’s own error page, and tells nothing of the cause', async () => {
    jest.spyOn(PublicArticlesRepository.prototype, 'rows').mockRejectedValue(new Error('disk on fire'));
    const res = await get('/');
    expect(res.status).toBe(500);
    expect(res.text).toContain('<h1>Erreur du serveur</h1>');
    expect(res.text).toMatch(/<title>Erreur du serveur · [^<]+<\/title>/);
    expect(res.text).toContain('class="site-header"');
    expect(res.text).not.toContain('disk on fire');
    expect(ctx.c.siteCache.size).toBe(0);
    jest.restoreAllMocks();
    expect((await get('/')).status).toBe(200);
  });

  it('answers an unknown address with a friendly 404 page offering a search and links', async () => {
    const res = await get('/cette-page-nexiste-pas');
    expect(res.status).toBe(404);
    // The title names the page as its heading does (RGAA 8.6), not a bare "Erreur".
    expect(res.text).toContain('<h1>Page introuvable</h1>');
    expect(res.text).toMatch(/<title>Page introuvable · [^<]+<\/title>/);
    expect(res.text).toMatch(/<form class="search-form" method="get" action="\/recherche" role="search">/);
    expect(res.text).toContain('<label for="q-erreur">');
    expect(res.text).toContain('href="/plan-du-site"');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('titles every error page with its own heading: malformed request, forbidden page', async () => {
    const { agent } = await loginAs(ctx, 'editor');
    const malformed = await agent.get('/admin/audience?periode=12');
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain('<h1>Requête refusée</h1>');
    expect(malformed.text).toMatch(/<title>Requête refusée · [^<]+<\/title>/);
    const forbidden = await agent.get('/admin/users');
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toContain('<h1>Accès refusé</h1>');
    expect(forbidden.text).toMatch(/<title>Accès refusé · [^<]+<\/title>/);
  });

  it('leads the old address of a renamed article to its new one with a permanent redirect, through every rename', async () => {
    const a = await publish({ title: 'Fête du village', eventStart: new Date('2026-06-21T16:00:00Z') });
    expect(a.slug).toBe('fete-du-village');
    const renamed = (await ctx.c.articles.update(a.id, { slug: 'fete-du-village-2026' }, a.version, officer)).article;
    const old = await get('/actualites/fete-du-village');
    expect(old.status).toBe(301);
    expect(old.headers.location).toBe('/actualites/fete-du-village-2026');
    expect((await get('/actualites/fete-du-village-2026')).text).toContain('Fête du village');
    // The query string goes along (the visit is still attributed), and so does the event's calendar file.
    expect((await get('/actualites/fete-du-village?ref=newsletter')).headers.location).toBe('/actualites/fete-du-village-2026?ref=newsletter');
    expect((await get('/actualites/fete-du-village/evenement.ics')).headers.location).toBe('/actualites/fete-du-village-2026/evenement.ics');

    // A → B → C: both former addresses go straight to C, in one hop.
    await ctx.c.articles.update(a.id, { slug: 'fete-de-la-saint-jean' }, renamed.version, officer);
    for (const former of ['fete-du-village', 'fete-du-village-2026']) {
      const res = await get(`/actualites/${former}`);
      expect(res.status).toBe(301);
      expect(res.headers.location).toBe('/actualites/fete-de-la-saint-jean');
    }

    // A new article that takes a former address has it: the article wins over the redirect.
    await publish({ title: 'Autre', slug: 'fete-du-village', bodyMd: 'La nouvelle fête du village.' });
    const taken = await get('/actualites/fete-du-village');
    expect(taken.status).toBe(200);
    expect(taken.text).toContain('La nouvelle fête du village.');
    expect((await get('/actualites/fete-du-village-2026')).status).toBe(301);

    // An article taken off the site is not found at its former addresses either.
    await ctx.c.articles.transition(a.id, 'archived', officer);
    expect((await get('/actualites/fete-du-village-2026')).status).toBe(404);
    expect((await get('/actualites/fete-de-la-saint-jean')).status).toBe(404);
  });

  it('keeps no redirect when the rename itself is undone, and the old address still shows the article', async () => {
    const a = await publish({ title: 'Collecte des déchets' });
    let failing = true;
    ctx.c.articles.onChangeInTransaction(async () => {
      if (failing) throw new Error('crash in the middle of the rename');
    });
    await expect(ctx.c.articles.update(a.id, { slug: 'collecte-des-encombrants' }, a.version, officer)).rejects.toThrow('crash');
    failing = false;
    expect((await get('/actualites/collecte-des-dechets')).status).toBe(200);
    expect((await get('/actualites/collecte-des-encombrants')).status).toBe(404);
    expect(Number((await ctx.c.db('article_redirects').count({ n: '*' }).first())?.n)).toBe(0);
  });

  it('shows the agenda of upcoming events grouped by month', async () => {
    await publish({ title: 'Fête de la musique', eventStart: new Date('2026-06-21T16:00:00Z') });
    await publish({ title: 'Brocante de printemps', eventStart: new Date('2026-04-12T06:00:00Z'), eventEnd: new Date('2026-04-12T16:00:00Z') });
    await publish({ title: 'Loto passé', eventStart: new Date('2026-03-01T13:00:00Z') });
    const res = await get('/agenda');
    expect(res.status).toBe(200);
    const main = mainOf(res.text);
    expect(main).not.toContain('Loto passé');
    expect(main.indexOf('Avril 2026')).toBeGreaterThan(0);
    expect(main.indexOf('Brocante de printemps')).toBeGreaterThan(main.indexOf('Avril 2026'));
    expect(main.indexOf('Juin 2026')).toBeGreaterThan(main.indexOf('Brocante de printemps'));
    expect(main.indexOf('Fête de la musique')).toBeGreaterThan(main.indexOf('Juin 2026'));
    expect(main).toContain('dimanche 12 avril 2026, de 8 h à 18 h');
    expect(main).toContain('dimanche 21 juin 2026 à 18 h');
  });

  it('offers to subscribe to the agenda in a calendar app, from the agenda and the home page', async () => {
    const agenda = await get('/agenda');
    expect(mainOf(agenda.text)).toContain('<a href="/agenda.ics" type="text/calendar">S’abonner à l’agenda (iCalendar)</a>');
    const head = agenda.text.slice(0, agenda.text.indexOf('</head>'));
    expect(plainSpaces(head)).toContain(
      '<link rel="alternate" type="text/calendar" title="Agenda : abonnement iCalendar" href="http://crieur.test/agenda.ics">',
    );
    const home = mainOf((await get('/')).text);
    const events = home.slice(home.indexOf('Prochains événements'));
    expect(events).toContain('<a href="/agenda.ics" type="text/calendar">S’abonner à l’agenda (iCalendar)</a>');
    const feed = await get('/agenda.ics');
    expect(feed.status).toBe(200);
    expect(feed.headers['content-type']).toMatch(/^text\/calendar/);
  });
});

describe('the mandatory pages', () => {
  beforeEach(async () => {
    const s = await ctx.c.settings.get();
    await ctx.c.settings.save(
      {
        ...s,
        name: 'Villeneuve',
        publicationDirector: 'Claire Martin, maire',
        host: 'OVH, 2 rue Kellermann, 59100 Roubaix',
        dpoContact: 'Syndicat informatique, dpo@si.example',
        accessibility: {
          status: 'partiellement',
          auditDate: '2026-06-12',
          rgaaVersion: '4.1.2',
          nonCompliant: 'Les PDF antérieurs à 2024.\nLe plan interactif.',
          contact: 'mairie@villeneuve.example',
        },
      },
      officer,
    );
  });

  it('publishes the legal notice from the settings', async () => {
    const res = await get('/mentions-legales');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Mentions légales</h1>');
    expect(res.text).toContain('Claire Martin, maire');
    expect(res.text).toContain('OVH, 2 rue Kellermann, 59100 Roubaix');
    expect(res.text).toContain('à compléter dans les paramètres de la commune'); // the phone is not set: visible, not silent
  });

  it('names the data protection officer and explains the audience measurement', async () => {
    const res = await get('/donnees-personnelles');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Syndicat informatique, <a href="mailto:dpo@si.example">dpo@si.example</a>');
    expect(res.text).toMatch(/<h2>Mesure d(?:'|&#39;)audience<\/h2>/);
    expect(res.text).toContain('href="/mesure-audience"');
  });

  it('generates the accessibility statement from the settings', async () => {
    const res = await get('/accessibilite');
    expect(res.status).toBe(200);
    const main = mainOf(res.text);
    expect(main).toContain('<h1>Déclaration d’accessibilité</h1>');
    expect(main).toContain(
      'La commune de Villeneuve s’engage à rendre son site internet accessible conformément à l’article 47 de la loi n° 2005-102 du 11 février 2005.',
    );
    expect(main.replace(/<[^>]+>/g, '')).toContain(
      'Le site http://crieur.test est partiellement conforme au référentiel général d’amélioration de l’accessibilité (RGAA), version 4.1.2',
    );
    expect(main).toContain('12 juin 2026');
    expect(main).toContain('<li>Les PDF antérieurs à 2024.</li>');
    expect(main).toContain('<li>Le plan interactif.</li>');
    expect(main).toContain('href="mailto:mairie@villeneuve.example"');
    expect(main).toContain('Défenseur des droits');
    expect(main).toContain('Libre réponse 71120, 75342 Paris CEDEX 07');
    expect(plainSpaces(res.text)).toContain('Accessibilité : partiellement conforme');
    expect((await get('/')).text).toContain('Ce site est partiellement conforme au référentiel général d’amélioration de l’accessibilité (RGAA).');
  });

  it('offers a site map with every category that has news and every fixed page', async () => {
    await publish({ title: 'Nouveau gymnase', categoryId: await categoryId('sport') });
    const res = await get('/plan-du-site');
    expect(res.status).toBe(200);
    for (const href of [
      '/actualites',
      '/actualites/categorie/sport',
      '/agenda',
      '/recherche',
      '/mentions-legales',
      '/donnees-personnelles',
      '/accessibilite',
    ]) {
      expect(res.text).toContain(`href="${href}"`);
    }
    expect(mainOf(res.text)).not.toContain('/actualites/categorie/culture');
  });
});

describe('the page cache', () => {
  const HEADERS = ['content-type', 'content-security-policy', 'etag', 'vary', 'cache-control', 'x-content-type-options', 'referrer-policy', 'content-encoding'];

  it('answers a cached page exactly as it answered it the first time', async () => {
    const a = await publish({ title: 'Travaux de voirie' });
    const server = http.createServer(ctx.handler).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    // Raw bytes, as sent: supertest would decompress them.
    const raw = (path: string) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path, headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          })
          .on('error', reject);
      });
    const first = await raw(`/actualites/${a.slug}`);
    expect(ctx.c.siteCache.size).toBe(1);
    // The fast path answers before Express: no middleware runs (templateLocals would read the settings).
    const middleware = jest.spyOn(ctx.c.settings, 'get');
    const second = await raw(`/actualites/${a.slug}`);
    expect(middleware).not.toHaveBeenCalled();
    server.close();
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(Buffer.compare(first.body, second.body)).toBe(0);
    for (const h of HEADERS) expect([h, second.headers[h]]).toEqual([h, first.headers[h]]);
    expect(first.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(second.body).toString('utf8')).toContain('Travaux de voirie');
    expect(second.headers.vary).toBe('Accept-Encoding');
    expect(second.headers['set-cookie']).toBeUndefined();
  });

  it('sends a visitor who accepts only deflate the page uncompressed, rendered or from the cache alike', async () => {
    const a = await publish({ title: 'Marché de Noël' });
    const server = http.createServer(ctx.handler).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const raw = () =>
      new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: `/actualites/${a.slug}`, headers: { 'Accept-Encoding': 'deflate' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          })
          .on('error', reject);
      });
    try {
      // Express's compression would deflate the rendered page: a cost on every miss, and another answer than the hit's.
      const rendered = await raw();
      const cached = await raw();
      expect([rendered.headers['content-encoding'], cached.headers['content-encoding']]).toEqual([undefined, undefined]);
      expect(Buffer.compare(rendered.body, cached.body)).toBe(0);
      expect(rendered.body.toString('utf8')).toContain('Marché de Noël');
    } finally {
      server.close();
    }
  });

  it('answers 304 to a browser that already has the page, and brotli to one that accepts it', async () => {
    const first = await get('/agenda');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/".+"$/);
    expect(first.headers['cache-control']).toBe('public, no-cache');
    const again = await get('/agenda').set('If-None-Match', etag);
    expect(again.status).toBe(304);
    expect(again.text ?? '').toBe('');
    expect((await get('/agenda').set('Accept-Encoding', 'br, gzip')).headers['content-encoding']).toBe('br');
    expect((await get('/agenda').set('Accept-Encoding', 'br;q=0, gzip')).headers['content-encoding']).toBe('gzip');
    const head = await request(ctx.handler).head('/agenda');
    expect(head.status).toBe(200);
    expect(head.headers.etag).toBe(etag);
  });

  it('shows a change at once: an edited, a withdrawn and a newly published article, new settings', async () => {
    const a = await publish({ title: 'Réunion publique' });
    expect((await get('/')).text).toContain('Réunion publique');
    expect((await get(`/actualites/${a.slug}`)).status).toBe(200);

    await ctx.c.articles.update(a.id, { title: 'Réunion publique reportée' }, a.version, officer);
    expect((await get('/')).text).toContain('Réunion publique reportée');
    expect((await get(`/actualites/${a.slug}`)).text).toContain('<h1>Réunion publique reportée</h1>');

    await publish({ title: 'Nouvelle annonce' });
    expect((await get('/')).text).toContain('Nouvelle annonce');

    await ctx.c.articles.transition(a.id, 'archived', officer);
    expect((await get(`/actualites/${a.slug}`)).status).toBe(404);
    expect((await get('/')).text).not.toContain('Réunion publique reportée');

    await ctx.c.settings.save({ ...(await ctx.c.settings.get()), name: 'Bourg-Neuf' }, officer);
    expect((await get('/')).text).toContain('Bourg-Neuf');
  });

  it('serves the cached page, not the database, until something changes', async () => {
    const a = await publish({ title: 'Titre d’origine' });
    await get(`/actualites/${a.slug}`);
    // A change behind Crieur's back (no event) is not seen: the page comes from the cache.
    await ctx.c.db('articles').where({ id: a.id }).update({ title: 'Titre changé en base' });
    expect((await get(`/actualites/${a.slug}`)).text).toContain('Titre d’origine');
    ctx.clock.advance(61_000); // then the entry expires
    expect((await get(`/actualites/${a.slug}`)).text).toContain('Titre changé en base');
  });

  it('counts every view of an article, cached or not, with the link’s source', async () => {
    const spy = jest.spyOn(ctx.c.audience, 'countView');
    const a = await publish({ title: 'Fibre optique' });
    await get(`/actualites/${a.slug}`);
    await get(`/actualites/${a.slug}?ref=newsletter`).set('User-Agent', 'Mozilla/5.0');
    expect(ctx.c.siteCache.size).toBe(1); // ?ref= is the same page
    const views = spy.mock.calls.map(([v]) => v).filter((v) => v.articleId === a.id);
    expect(views).toHaveLength(2);
    expect(views[1]).toMatchObject({ path: `/actualites/${a.slug}`, url: `/actualites/${a.slug}?ref=newsletter` });
    expect(views[1]!.headers['user-agent']).toBe('Mozilla/5.0');
    expect(typeof views[1]!.ip).toBe('string');
  });

  it('compresses a page only for a visitor who accepts it, once per encoding', async () => {
    const a = await publish({ title: 'Collecte des encombrants' });
    const path = `/actualites/${a.slug}`;
    const brotli = jest.spyOn(zlib, 'brotliCompressSync');
    const gzip = jest.spyOn(zlib, 'gzipSync');
    try {
      const plain = await get(path).set('Accept-Encoding', 'identity');
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(brotli).not.toHaveBeenCalled();
      expect(gzip).not.toHaveBeenCalled();
      const first = await get(path).set('Accept-Encoding', 'br');
      const second = await get(path).set('Accept-Encoding', 'br');
      expect([first.headers['content-encoding'], second.headers['content-encoding']]).toEqual(['br', 'br']);
      expect(second.text).toBe(plain.text);
      expect(brotli).toHaveBeenCalledTimes(1); // the cached page keeps what it compressed
      expect(gzip).not.toHaveBeenCalled();
      expect(Object.keys(ctx.c.siteCache.get(path)!.answers).sort()).toEqual(['br', 'identity']);
    } finally {
      brotli.mockRestore();
      gzip.mockRestore();
    }
  });

  it('counts the articles of each category once between changes, not on every list page', async () => {
    const sport = await categoryId('sport');
    const counts: string[] = [];
    const onQuery = (q: { sql: string }) => {
      if (/count\(/i.test(q.sql)) counts.push(q.sql);
    };
    ctx.c.db.on('query', onQuery);
    try {
      expect(mainOf((await get('/plan-du-site')).text)).not.toContain('/actualites/categorie/sport');
      expect((await get('/actualites')).status).toBe(200);
      expect((await get('/actualites/categorie/sport')).status).toBe(200);
      expect(counts).toHaveLength(1);
      await publish({ title: 'Nouveau gymnase', categoryId: sport });
      expect(mainOf((await get('/plan-du-site')).text)).toContain('/actualites/categorie/sport');
      expect(mainOf((await get('/actualites/categorie/sport')).text)).toContain('Nouveau gymnase');
      expect(counts).toHaveLength(2);
    } finally {
      ctx.c.db.removeListener('query', onQuery);
    }
  });

  it('renders every request while bypassed (the site benchmark’s switch) and keeps nothing', async () => {
    const a = await publish({ title: 'Titre d’origine' });
    ctx.c.siteCache.setBypass(true);
    try {
      const spy = jest.spyOn(ctx.c.audience, 'countView');
      expect((await get(`/actualites/${a.slug}`)).text).toContain('Titre d’origine');
      expect(ctx.c.siteCache.size).toBe(0);
      await ctx.c.db('articles').where({ id: a.id }).update({ title: 'Titre changé en base' });
      expect((await get(`/actualites/${a.slug}`)).text).toContain('Titre changé en base');
      expect(spy.mock.calls.filter(([v]) => v.articleId === a.id)).toHaveLength(2); // each render counted once
    } finally {
      ctx.c.siteCache.setBypass(false);
    }
    await get(`/actualites/${a.slug}`);
    expect(ctx.c.siteCache.size).toBe(1);
  });

  it('does not keep a page whose image is still being encoded', async () => {
    const jpeg = await sharp({ create: { width: 1600, height: 1000, channels: 3, background: '#775533' } })
      .jpeg()
      .toBuffer();
    const item = await ctx.c.media.ingest(jpeg, 'pont.jpg', { alt: 'Le pont' }, officer);
    await ctx.c.media.whenReady(item.id);
    const a = await publish({ title: 'Le pont rouvre', heroMediaId: item.id, heroAlt: 'Le pont' });
    // Held in "processing" whatever the machine's speed (encoding may finish before any request):
    // the state a slow encoding leaves, set on purpose so that the assertion always runs.
    await ctx.c.db('media').where({ id: item.id }).update({ status: 'processing' });
    ctx.c.siteCache.clear();
    expect((await get(`/actualites/${a.slug}`)).status).toBe(200);
    expect(ctx.c.siteCache.size).toBe(0);
    await ctx.c.db('media').where({ id: item.id }).update({ status: 'ready' });
    await get(`/actualites/${a.slug}`);
    expect(ctx.c.siteCache.size).toBe(1);
  });
});

describe('the demo commune’s site', () => {
  it('answers every page and keeps the home page under 60 KB of HTML, CSS and JavaScript', async () => {
    ctx.clock.set(new Date('2026-11-22T09:00:00.000Z'));
    await loadDemoIfEmpty(ctx.c);
    await ctx.c.media.idle();
    const home = await get('/').set('Accept-Encoding', 'identity');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Conseil municipal du 26 novembre');
    const assets = [...home.text.matchAll(/<(?:link rel="stylesheet" href|script src)="([^"]+)"/g)].map((m) => m[1]!);
    let bytes = Buffer.byteLength(home.text);
    for (const href of assets) bytes += Buffer.byteLength((await get(href).set('Accept-Encoding', 'identity')).text);
    expect(bytes).toBeLessThanOrEqual(60 * 1024);
    // Only the first card's image loads at once; the others wait until they are scrolled to.
    expect(home.text.match(/fetchpriority="high"/g)).toHaveLength(1);
    expect(home.text.match(/loading="lazy"/g)!.length).toBeGreaterThanOrEqual(4);

    const links = [...new Set([...home.text.matchAll(/href="(\/(?:actualites|agenda)[^"?#]*)"/g)].map((m) => m[1]!))];
    expect(links.length).toBeGreaterThan(8);
    for (const href of [...links, '/accessibilite', '/mentions-legales', '/donnees-personnelles', '/plan-du-site']) {
      const res = await get(href);
      expect([href, res.status]).toEqual([href, 200]);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  }, 120_000);
});
