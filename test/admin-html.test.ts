import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import sharp from 'sharp';
import { ALL_JOBS } from '../jobs';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { makePublication, makeTestAccount } from './helpers/factories';
import { categoryId, officer, publishArticle } from './helpers/site-data';

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

let ctx: TestContext;
const pages = new Map<string, string>();

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
    bodyMd: '## Programme\n\n- 18 h : chorale\n- 20 h : **bal**\n\nVoir le [plan](/plan.pdf).',
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
  const [subscriberRow] = await c
    .db('subscribers')
    .insert({
      email: 'abonne@exemple.fr',
      status: 'confirmed',
      source: 'form',
      created_at: c.clock.now().toISOString(),
      confirmed_at: c.clock.now().toISOString(),
    })
    .returning('id');
  const subscriber = Number(typeof subscriberRow === 'object' ? subscriberRow.id : subscriberRow);
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
    ['error page', '/admin/articles/999999', 404, 'Cet article n’existe pas'],
  ];
  const unexpected: string[] = [];
  for (const [name, url, status, shows] of admins) {
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
    ['commune page with its breadcrumb', '/la-mairie/horaires', 200],
    ['commune page with its sub-pages', '/la-mairie', 200],
    ['public error page', '/actualites/nexiste-pas', 404],
  ];
  for (const [name, url, status] of anonymous) {
    const res = await request(ctx.app).get(url);
    if (res.status !== status) unexpected.push(`${name} (${url}) answered ${res.status}`);
    pages.set(`${name} (${url})`, res.text);
  }
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
    const problems = check(pages, dir);
    if (problems.length) console.log(`Nu Html Checker:\n${problems.join('\n')}`);
    expect(problems).toEqual([]);
  },
  60_000,
);
