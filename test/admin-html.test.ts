import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import sharp from 'sharp';
import { ALL_JOBS } from '../jobs';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { makePublication, makeSubscriber, makeTestAccount } from './helpers/factories';
import { categoryId, officer, publishArticle } from './helpers/site-data';
import { addEvents } from './helpers/engagement-events';
import { collectRoutes } from './helpers/routes';
import { StatsReportLinks } from '../server/stats/stats-report-links';
import { DEFAULT_SETTINGS, type CommuneSettings } from '../server/settings/settings.defaults';
import { mergeSettings } from '../server/settings/settings.service';

/**
 * Every main admin page, and the public pages, through the Nu Html Checker (vnu, the W3C
 * validator): invalid markup is what assistive technologies trip on first. The checker is a Java
 * program shipped by the vnu-jar package; .ci/run installs Java on a clean machine.
 */

const VNU_JAR = require.resolve('vnu-jar/build/dist/vnu.jar');
const HAS_JAVA = !spawnSync('java', ['-version'], { stdio: 'ignore' }).error;
if (!HAS_JAVA) console.warn('admin-html.test.ts: skipped, `java` is not installed (apt-get install default-jre-headless)');

interface VnuMessage {
  type: 'error' | 'info' | 'non-document-error';
  subType?: string;
  url?: string;
  lastLine?: number;
  message: string;
  extract?: string;
}

/** Runs vnu once on every page (Java's start-up costs more than the checking). */
function check(pages: Map<string, string>, dir: string): string[] {
  const files: string[] = [];
  const pageOf = new Map<string, string>();
  let n = 0;
  for (const [name, html] of pages) {
    const file = path.join(dir, `page-${++n}.html`);
    fs.writeFileSync(file, html);
    files.push(file);
    pageOf.set(path.basename(file), name);
  }
  const run = spawnSync('java', ['-jar', VNU_JAR, '--format', 'json', '--stdout', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  // A Java too old for the checker, or a broken jar, says so on stderr and reports nothing.
  if (!run.stdout.trim()) throw new Error(`the Nu Html Checker gave no report (exit ${run.status}): ${run.stderr}`);
  const { messages } = JSON.parse(run.stdout) as { messages: VnuMessage[] };
  // Warnings (type "info") are advice; errors and unreadable documents fail the test.
  return messages
    .filter((m) => m.type !== 'info')
    .map((m) => {
      const page = m.url ? (pageOf.get(path.basename(m.url)) ?? m.url) : '?';
      return `${page}, line ${m.lastLine ?? '?'}: ${m.message}${m.extract ? `\n    ${m.extract.replace(/\s+/g, ' ').trim()}` : ''}`;
    });
}

/** GET routes that answer no HTML page of Crieur's own: files, feeds, data, redirects, an e-mail's markup. */
const NOT_PAGES = new Set([
  // Files, pictures and the tracking pixel.
  '/healthz',
  '/favicon.ico',
  '/theme.css',
  '/theme-:version.css',
  '/media/:id/:file',
  '/media/{*rest}',
  '/documents/:id/:name',
  '/admin/attachments/:id/file',
  '/admin/networks/:id/avatar',
  '/admin/mailbox/:id/eml',
  '/o/:file',
  // Data: JSON, CSV, feeds, calendars, the search engines' files, a subscriber's own data.
  '/admin/media.json',
  '/admin/media/:id.json',
  '/admin/articles/:id/publications.json',
  '/admin/newsletter/campaigns/:id/progress.json',
  '/admin/stats/export.csv',
  '/lettre/abonnement/:token/donnees',
  '/actualites/:slug/evenement.ics',
  '/rss.xml',
  '/atom.xml',
  '/feed.json',
  '/actualites/categorie/:slug/rss.xml',
  '/actualites/categorie/:slug/atom.xml',
  '/sitemap.xml',
  '/robots.txt',
  '/agenda.ics',
  '/donnees-ouvertes/articles.csv',
  '/donnees-ouvertes/articles.json',
  '/donnees-ouvertes/evenements.csv',
  '/donnees-ouvertes/evenements.json',
  '/api/v1/articles',
  '/api/v1/articles/:slug',
  // An e-mail's own markup (MJML's tables), as mail software reads it, not a page of the admin.
  '/admin/mailbox/:id/html',
  '/admin/newsletter/:id/preview.html',
  '/admin/newsletter/:id/preview.txt',
  '/admin/articles/:id/newsletter-block.html',
  '/lettres/:number',
  // Redirects only.
  '/admin/networks/oauth/callback',
  '/l/:campaign/:link',
  '/actualites/categorie/:slug/:file',
]);

let ctx: TestContext;
const pages = new Map<string, string>();
const checked: string[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  const c = ctx.c;
  const admin = await loginAs(ctx, 'admin');
  const agent = admin.agent;

  // Something on every page: a published event with a picture, a version history, a
  // publication that failed, an article to approve, another scheduled, an e-mail, a job run and
  // a counted visit.
  const photo = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#3a7' } })
    .jpeg()
    .toBuffer();
  const media = await c.media.ingest(photo, 'place.jpg', { alt: 'La place du marché', credit: 'Mairie' }, officer);
  await c.media.whenReady(media.id);
  await makeTestAccount(c, {}, 'Réseau de test');
  const failing = await makeTestAccount(c, { mode: 'fail' }, 'Réseau en panne');
  const article = await publishArticle(c, {
    title: 'Fête de la musique',
    summary: 'Concerts sur la place.',
    // With a table: the frame it scrolls in (server/http/scrollable-tables.ts) is checked too.
    bodyMd: '## Programme\n\n- 18 h : chorale\n- 20 h : **bal**\n\n| Heure | Scène |\n|---|---|\n| 18 h | Chorale |\n\nVoir le [plan](/plan.pdf).',
    categoryId: await categoryId(c, 'culture'),
    heroMediaId: media.id,
    heroAlt: 'La place du marché',
    eventStart: new Date('2026-06-21T16:00:00.000Z'),
    eventEnd: new Date('2026-06-21T22:00:00.000Z'),
    eventPlace: 'Place de la Mairie',
  });
  await c.articles.update(article.id, { summary: 'Concerts et bal sur la place.' }, article.version, officer);
  await makePublication(c, article.id, failing, c.clock.now());
  const review = await c.articles.create({ title: 'Conseil municipal du 2 avril', bodyMd: 'Ordre du jour.' }, officer);
  await c.articles.transition(review.id, 'review', officer);
  const later = await c.articles.create({ title: 'Vide-grenier', bodyMd: 'Inscriptions en mairie.', publishAt: new Date('2026-04-01T08:00:00.000Z') }, officer);
  await c.articles.transition(later.id, 'published', officer);
  await c.dispatcher.dispatchDue();
  await c.users.invite({ email: 'marie@commune.test', displayName: 'Marie Dupont', role: 'editor' }, officer);
  await c.outbox.idle();
  // A newsletter subscriber, for the staff's list and the subscriber's own pages.
  const subscriber = await makeSubscriber(c);
  const pathOf = (url: string) => new URL(url).pathname;
  await c.jobRunner.run(
    ALL_JOBS.find((j) => j.name === 'dispatch-publications')!,
    'manual',
  );
  await request(ctx.app)
    .get(`/actualites/${article.slug}?ref=newsletter`)
    .set('User-Agent', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0');
  await c.audience.flush();

  // A newsletter composed by hand, sent (numbered), for the campaigns' pages and the archive.
  const letter = await c.campaigns.create({ subject: 'La lettre de juin', intro: 'Bonjour.\n\nLes nouvelles du mois.', articleIds: [article.id] }, officer);
  await c.campaigns.markSent(letter, c.clock.now());

  // The commune's pages: a page with a sub-page, for the tree, the menus, the deletion page and the site.
  const mairie = await c.pages.create(
    { title: 'La mairie', slug: '', parentId: null, summary: 'Les services.', bodyMd: '## Accueil\n\nBienvenue.', status: 'published' },
    officer,
  );
  await c.pages.create({ title: 'Horaires', slug: '', parentId: mairie.id, summary: '', bodyMd: 'Du lundi au vendredi.', status: 'published' }, officer);
  await c.menus.save('main', ['link:actualites', `page:${mairie.id}`], officer);

  const mailbox = await agent.get('/admin/mailbox');
  const mail = /href="\/admin\/mailbox\/([\w-]+)"/.exec(mailbox.text)?.[1];
  if (!mail) throw new Error('no e-mail in the mailbox page');

  // For the pages added since: a hand-off network with its post, the figures of a week (the
  // dashboard, an article's figures, the monthly report), a private preview link.
  const now = c.clock.now();
  const instagram = await c.accounts.insert({ channel: 'handoff', label: 'Instagram', settings: { network: 'Instagram' } }, now);
  const mastodon = await c.accounts.insert({ channel: 'mastodon', label: 'Mastodon de la mairie', settings: { instance: 'https://mastodon.test' } }, now);
  const handoff = await c.publications.insert({ articleId: article.id, accountId: instagram, channel: 'handoff', textVariant: null, scheduledAt: now }, now);
  await c.dispatcher.dispatchDue();
  const culture = await categoryId(c, 'culture');
  await addEvents(c, [
    { at: '2026-03-14T10:00:00Z', channel: 'site', kind: 'visitor', value: 40 },
    { at: '2026-03-14T10:00:00Z', channel: 'site', kind: 'view', articleId: article.id, source: 'search', value: 30 },
    { at: '2026-03-14T10:00:00Z', channel: 'site', kind: 'view', articleId: article.id, source: 'atom', value: 5 },
    { at: '2026-03-14T10:00:00Z', channel: 'newsletter', kind: 'article_delivery', articleId: article.id, value: 120 },
    { at: '2026-02-14T10:00:00Z', channel: 'site', kind: 'view', articleId: article.id, source: 'direct', value: 12 },
  ]);
  // The picture counts as the demo's: the demo removal page shows its plan, and every admin page its banner.
  await c.db('demo_items').insert({ kind: 'image', item_id: media.id });
  await c.settings.setMarker('demo_loaded_at', c.clock.now());
  const previewLink = await agent.post(`/admin/articles/${article.id}/previews`).type('form').send({ _csrf: admin.csrf, audience: 'team' });
  const previewPath = new URL(/id="preview-url" type="text" value="([^"]+)"/.exec(previewLink.text)?.[1] ?? 'http://x/none').pathname;
  const reportOptOut = new URL(new StatsReportLinks(c.secretKey, c.config.baseUrl, c.clock).optOutUrl(admin.user.id)).pathname;

  // The last column is something the page shows only when filled: an empty state would hide markup.
  const admins: [string, string, number, string][] = [
    ['dashboard', '/admin', 200, 'Conseil municipal du 2 avril'],
    ['article list', '/admin/articles', 200, 'Fête de la musique'],
    ['new article', '/admin/articles/new', 200, 'id="hero-upload"'],
    ['article edit page', `/admin/articles/${article.id}/edit`, 200, 'id="channels"'],
    ['article page', `/admin/articles/${article.id}`, 200, 'Fête de la musique'],
    ['channel panel', `/admin/articles/${article.id}/channels`, 200, 'Réseau en panne'],
    ['versions', `/admin/articles/${article.id}/versions`, 200, `/versions/${article.version}`],
    ['one version', `/admin/articles/${article.id}/versions/1`, 200, 'Fête de la musique'],
    ['media library', '/admin/media', 200, 'place.jpg'],
    ['media page', `/admin/media/${media.id}`, 200, 'La place du marché'],
    ['users', '/admin/users', 200, 'Marie Dupont'],
    ['settings', '/admin/settings', 200, 'id="address"'],
    ['demo data removal', '/admin/settings/demo', 200, 'name="confirm"'],
    ['demo banner', '/admin/media?banniere', 200, 'class="alert alert-info demo-banner"'],
    ['audit log', '/admin/audit', 200, 'Marie Dupont'],
    ['mailbox', '/admin/mailbox', 200, 'marie@commune.test'],
    ['e-mail', `/admin/mailbox/${mail}`, 200, 'marie@commune.test'],
    ['jobs', '/admin/jobs', 200, 'dispatch-publications'],
    ['audience', '/admin/audience', 200, 'Lettre d’information'],
    ['publications needing attention', '/admin/publications', 200, 'Réseau en panne'],
    ['account', '/admin/account', 200, 'name="locale"'],
    ['subscribers', '/admin/subscribers', 200, 'abonne@exemple.fr'],
    ['subscriber import', '/admin/subscribers/import', 200, 'name="basis"'],
    ['subscriber erasure', `/admin/subscribers/${subscriber}/erase`, 200, 'abonne@exemple.fr'],
    ['newsletter campaigns', '/admin/newsletter', 200, 'La lettre de juin'],
    ['newsletter compose', '/admin/newsletter/new', 200, 'Fête de la musique'],
    ['newsletter campaign page', `/admin/newsletter/${letter}`, 200, 'preview.html'],
    ['newsletter settings', '/admin/settings/newsletter', 200, 'name="hourlyCap"'],
    ['pages', '/admin/pages', 200, 'sous-page de'],
    ['new page', '/admin/pages/new', 200, 'name="parentId"'],
    ['page form', `/admin/pages/${mairie.id}/edit`, 200, 'data-visual-editor'],
    ['menus', '/admin/pages/menu', 200, 'menu-entry'],
    ['page deletion', `/admin/pages/${mairie.id}/delete`, 200, '/la-mairie/horaires'],
    ['page preview', `/admin/pages/${mairie.id}/preview`, 200, 'Bienvenue'],
    ['categories', '/admin/categories', 200, 'Culture'],
    ['category form', `/admin/categories/${culture}/edit`, 200, 'Culture'],
    ['category deletion', `/admin/categories/${culture}/delete`, 200, 'Culture'],
    ['article attachments', `/admin/articles/${article.id}/attachments`, 200, 'type="file"'],
    ['page attachments', `/admin/pages/${mairie.id}/attachments`, 200, 'type="file"'],
    ['attachment settings', '/admin/settings/attachments', 200, '<form'],
    ['article withdrawal', `/admin/articles/${article.id}/retract`, 200, 'Fête de la musique'],
    ['private preview', previewPath, 200, 'Fête de la musique'],
    ['networks', '/admin/networks', 200, 'Réseau en panne'],
    ['network connection', '/admin/networks/connect/mastodon', 200, '<form'],
    ['hand-off connection', '/admin/networks/connect/handoff', 200, 'name="network"'],
    ['network settings', `/admin/networks/${mastodon}/settings`, 200, 'Mastodon de la mairie'],
    ['network removal', `/admin/networks/${instagram}/remove`, 200, 'Instagram'],
    ['hashtags', '/admin/networks/hashtags', 200, '<form'],
    ['hand-off', `/admin/handoff/${handoff}`, 200, 'Instagram'],
    ['article figures', `/admin/stats/articles/${article.id}?periode=7j`, 200, 'par provenance'],
    ['monthly report', '/admin/stats/rapport', 200, 'Rapport mensuel'],
    ['monthly report by e-mail', '/admin/stats/rapport-par-email', 200, '<form'],
    ['error page', '/admin/articles/999999', 404, 'Cet article n’existe pas'],
  ];
  const unexpected: string[] = [];
  for (const [name, url, status, shows] of admins) {
    checked.push(url);
    const res = await agent.get(url);
    if (res.status !== status || !res.text.includes(shows)) unexpected.push(`${name} (${url}) answered ${res.status} without “${shows}”`);
    pages.set(`${name} (${url})`, res.text);
  }
  const preview = await agent
    .post('/admin/subscribers/import')
    .field('_csrf', admin.csrf)
    .field('basis', 'Formulaires papier signés en mairie')
    .field('wording', 'lettre-2026-12')
    .attach('file', Buffer.from('email;rubriques\nun@exemple.fr;Culture\nabonne@exemple.fr;\npas-une-adresse;\n'), 'liste.csv');
  if (preview.status !== 200 || !preview.text.includes('pas-une-adresse')) unexpected.push(`subscriber import preview answered ${preview.status}`);
  pages.set('subscriber import preview', preview.text);

  const anonymous: [string, string, number][] = [
    ['login page', '/admin/login', 200],
    ['forgotten password', '/admin/forgot', 200],
    ['expired link', '/admin/password/not-a-token', 410],
    ['home', '/', 200],
    ['news', '/actualites', 200],
    ['article', `/actualites/${article.slug}`, 200],
    ['category', '/actualites/categorie/culture', 200],
    ['agenda', '/agenda', 200],
    ['search', '/recherche?q=musique', 200],
    ['open data', '/donnees-ouvertes', 200],
    ['legal notice', '/mentions-legales', 200],
    ['personal data', '/donnees-personnelles', 200],
    ['accessibility', '/accessibilite', 200],
    ['site map', '/plan-du-site', 200],
    ['audience opt-out', '/mesure-audience', 200],
    ['newsletter', '/lettre', 200],
    ['newsletter request sent', '/lettre/demande-envoyee', 200],
    ['newsletter confirmation', pathOf(c.subscriberLinks.confirmUrl(subscriber)), 200],
    ['subscriber page', pathOf(c.subscriberLinks.manageUrl(subscriber)), 200],
    ['subscriber deletion', `${pathOf(c.subscriberLinks.manageUrl(subscriber))}/supprimer`, 200],
    ['unsubscribe', pathOf(c.subscriberLinks.unsubscribeUrl(subscriber)), 200],
    ['invalid newsletter link', '/lettre/abonnement/1.forged', 404],
    ['newsletter archive', '/lettres', 200],
    ['newsletter consent renewal', pathOf(c.subscriberLinks.reconsentUrl(subscriber)), 200],
    ['monthly report opt-out', reportOptOut, 200],
    ['commune page with its breadcrumb', '/la-mairie/horaires', 200],
    ['commune page with its sub-pages', '/la-mairie', 200],
    ['public error page', '/actualites/nexiste-pas', 404],
  ];
  for (const [name, url, status] of anonymous) {
    checked.push(url);
    const res = await request(ctx.app).get(url);
    if (res.status !== status) unexpected.push(`${name} (${url}) answered ${res.status}`);
    pages.set(`${name} (${url})`, res.text);
  }
  // Pages shown in a particular state, set up last so that the others are seen as usual.
  const forced = await loginAs(ctx, 'editor');
  await c.db('users').where({ id: forced.user.id }).update({ must_change_password: true });
  const late: [string, TestAgent, string, number, string][] = [
    ['expired e-mail change link', agent, '/admin/account/email/not-a-token', 410, 'Lien expiré'],
    ['printed password to replace', forced.agent, '/admin/account/new-password', 200, 'name="password"'],
  ];
  // A change to an online article under required approval: the proposal an élu decides on.
  await c.settings.initialize(mergeSettings(DEFAULT_SETTINGS, { requireApproval: true } as Partial<CommuneSettings>));
  const editor = await loginAs(ctx, 'editor');
  const current = await c.articles.getOrFail(article.id);
  await editor.agent
    .post(`/admin/articles/${article.id}`)
    .type('form')
    .send({ _csrf: editor.csrf, version: String(current.version), title: current.title, body: `${current.bodyMd}\n\nEntrée libre.`, intent: 'save' });
  late.push(['proposal', agent, `/admin/articles/${article.id}/proposal`, 200, 'Entrée libre.']);
  for (const [name, who, url, status, shows] of late) {
    checked.push(url);
    const res = await who.get(url);
    if (res.status !== status || !res.text.includes(shows)) unexpected.push(`${name} (${url}) answered ${res.status} without “${shows}”`);
    pages.set(`${name} (${url})`, res.text);
  }

  // A page added tomorrow is checked too: every GET route is one of the pages above, or not a page.
  const pattern = (route: string) =>
    new RegExp(
      `^${route
        .replace(/[.]/g, '\\.')
        .replace(/\{?\*\w+\}?/g, '.+')
        .replace(/:\w+/g, '[^/]+')
        .replace(/\/$/, '')}/?$`,
    );
  for (const r of collectRoutes(ctx.app).filter((x) => x.method === 'GET' && !NOT_PAGES.has(x.path)))
    if (!checked.some((url) => pattern(r.path).test(url.split('?')[0]!)))
      unexpected.push(`GET ${r.path} is not checked: add one of its pages above, or it to NOT_PAGES`);
  if (unexpected.length) throw new Error(unexpected.join('\n'));
}, 60_000);

afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
});

(HAS_JAVA ? it : it.skip)(
  'every admin and public page passes the Nu Html Checker without an error',
  () => {
    const dir = fs.mkdtempSync(path.join(ctx.dir, 'vnu-'));
    expect([...pages].filter(([, html]) => html.includes('class="table-scroll"')).length).toBeGreaterThanOrEqual(2);
    const problems = check(pages, dir);
    if (problems.length) console.log(`Nu Html Checker:\n${problems.join('\n')}`);
    expect(problems).toEqual([]);
  },
  60_000,
);
