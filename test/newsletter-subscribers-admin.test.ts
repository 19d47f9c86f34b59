import { simpleParser, type ParsedMail } from 'mailparser';
import request from 'supertest';
import { createTestContext, type TestContext } from './helpers/context';
import { loginAs } from './helpers/context';
import { startSmtpPeer, type SmtpPeer } from './helpers/smtp';
import { formulaCells } from './helpers/spreadsheet';
import { findJob } from '../jobs';
import type { SubscribersRepository } from '../server/newsletter/subscribers.repository';

/**
 * The staff's tools on the list and the list's upkeep, as an officer and a resident see them:
 * search, filters, counts and pages; a CSV import previewed and refused row by row; the export;
 * erasure on request; registration at the desk; and the jobs that purge unconfirmed requests and
 * ask for consent again after 3 years (fake clock), with the mails a real SMTP server receives.
 */
let smtp: SmtpPeer;
let ctx: TestContext;
let topics: { id: number; name: string; slug: string }[];
const DAY = 86_400_000;

beforeAll(async () => {
  smtp = await startSmtpPeer();
  ctx = await createTestContext({ SMTP_URL: smtp.url, SMTP_FROM: 'Mairie <mairie@commune.test>' });
  topics = (await ctx.c.db('categories').orderBy('position').select('id', 'name', 'slug')).map((r: { id: number; name: string; slug: string }) => ({
    ...r,
    id: Number(r.id),
  }));
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

function repo(): SubscribersRepository {
  return (ctx.c.subscribers as unknown as { d: { repo: SubscribersRepository } }).d.repo;
}

async function add(email: string, opts: { status?: 'pending' | 'confirmed'; topics?: number[]; alertsOnly?: boolean } = {}): Promise<number> {
  return ctx.c.db.transaction((trx) =>
    repo().insert(
      {
        email,
        status: opts.status ?? 'confirmed',
        alertsOnly: opts.alertsOnly ?? false,
        source: 'form',
        at: ctx.clock.now(),
        topics: opts.topics ?? [topics[0]!.id],
      },
      trx,
    ),
  );
}

async function mailTo(address: string, subject: RegExp): Promise<ParsedMail> {
  await ctx.c.outbox.idle();
  return simpleParser((await smtp.waitFor((m) => m.rcptTo.includes(address) && subject.test(m.subject), 5000)).raw);
}

function csvFile(lines: string[]): Buffer {
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

describe('the subscriber list', () => {
  it('searches, filters by status and topic, counts and pages, for editors (not for elected officials)', async () => {
    for (let i = 0; i < 55; i++) await add(`habitant${String(i).padStart(2, '0')}@exemple.fr`, { topics: [topics[i % 2]!.id] });
    await add('attente@exemple.fr', { status: 'pending' });
    await add('alertes@exemple.fr', { alertsOnly: true, topics: [] });
    const { agent } = await loginAs(ctx, 'editor');

    const page1 = await agent.get('/admin/subscribers');
    expect(page1.status).toBe(200);
    expect(page1.text).toMatch(/<strong>56<\/strong><span>abonnés confirmés/);
    expect(page1.text).toMatch(/<strong>1<\/strong><span>demandes en attente/);
    expect(page1.text).toMatch(/<strong>1<\/strong><span>abonnés aux alertes uniquement/);
    expect(page1.text).toContain(`${topics[0]!.name} (28)`);
    expect(page1.text).toContain('Page 1 sur 2');
    expect((await agent.get('/admin/subscribers?page=2')).text).toContain('habitant00@exemple.fr');

    const search = await agent.get('/admin/subscribers?q=HABITANT1');
    expect(search.text).toContain('<span class="count">(10)</span>');
    const pending = await agent.get('/admin/subscribers?status=pending');
    expect(pending.text).toContain('attente@exemple.fr');
    expect(pending.text).toContain('<span class="count">(1)</span>');
    const byTopic = await agent.get(`/admin/subscribers?topic=${topics[1]!.id}`);
    expect(byTopic.text).toContain('<span class="count">(27)</span>');
    const none = await agent.get('/admin/subscribers?q=personne%25');
    expect(none.text).toContain('Aucun abonné ne correspond à ces critères.');
    // Nonsense in the query is ignored, never a 500.
    expect((await agent.get('/admin/subscribers?status=x&topic=abc&page=-3')).status).toBe(200);

    const elected = await loginAs(ctx, 'elected');
    expect((await elected.agent.get('/admin/subscribers')).status).toBe(403);
  });
});

describe('importing a CSV file', () => {
  it('previews row by row with each refusal’s reason, writes nothing until confirmed, then keeps the stated basis as proof', async () => {
    await add('deja@exemple.fr');
    await ctx.c.subscribers.suppress('parti@exemple.fr', 'unsubscribed', ctx.clock.now());
    const { agent, csrf, user } = await loginAs(ctx, 'admin');
    const file = csvFile([
      'email;rubriques;alertes uniquement',
      `nouveau@exemple.fr;${topics[0]!.name}|${topics[2]!.slug};non`,
      'Autre@Exemple.fr;;oui',
      'pas-une-adresse;;',
      'nouveau@exemple.fr;;',
      'deja@exemple.fr;;',
      'PARTI@exemple.fr;;',
      'inconnu@exemple.fr;Pétanque;',
      '"=HYPERLINK(""x"")@exemple.fr";;',
      '',
    ]);
    const before = await ctx.c.db('subscribers').count({ n: '*' }).first();

    // The stated basis is required.
    const noBasis = await agent.post('/admin/subscribers/import').field('_csrf', csrf).field('basis', '').attach('file', file, 'liste.csv');
    expect(noBasis.status).toBe(400);
    expect(noBasis.text).toContain('Indiquez d’où viennent ces adresses');

    const basis = 'Formulaires papier signés à la fête du village, conservés en mairie';
    const preview = await agent
      .post('/admin/subscribers/import')
      .field('_csrf', csrf)
      .field('basis', basis)
      .field('mode', 'confirmed')
      .field('wording', 'lettre-2026-12')
      .attach('file', file, 'liste.csv');
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Texte accepté par les personnes : la phrase du site, version lettre-2026-12 : « J’accepte de recevoir');
    expect(preview.text).toMatch(/<strong>2<\/strong><span>adresses à importer/);
    expect(preview.text).toMatch(/<strong>6<\/strong><span>lignes refusées/);
    const refusals = [...preview.text.matchAll(/<tr><td>(\d+)<\/td><th scope="row">([^<]*)<\/th><td>([^<]*)<\/td><\/tr>/g)].map((m) => [
      Number(m[1]),
      m[2],
      m[3],
    ]);
    expect(refusals).toEqual([
      [4, 'pas-une-adresse', 'Adresse e-mail invalide.'],
      [5, 'nouveau@exemple.fr', 'Adresse en double dans le fichier (déjà ligne 2).'],
      [6, 'deja@exemple.fr', 'Adresse déjà inscrite.'],
      [7, 'PARTI@exemple.fr', 'Adresse désinscrite, effacée ou refusée par sa messagerie : seule la personne elle-même peut se réinscrire, depuis le site.'],
      [8, 'inconnu@exemple.fr', 'Rubrique inconnue : Pétanque.'],
      [9, '=HYPERLINK(&#34;x&#34;)@exemple.fr', 'Adresse e-mail invalide.'],
    ]);
    expect(await ctx.c.db('subscribers').count({ n: '*' }).first()).toEqual(before);

    const csv = /name="csv" value="([^"]*)"/
      .exec(preview.text)![1]!
      .replace(/&#34;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>');
    const done = await agent
      .post('/admin/subscribers/import/confirm')
      .type('form')
      .send({ _csrf: csrf, basis, mode: 'confirmed', wording: /name="wording" value="([^"]*)"/.exec(preview.text)![1], csv });
    expect(done.status).toBe(303);
    const nouveau = await repo().byEmail('nouveau@exemple.fr');
    expect(nouveau).toMatchObject({ status: 'confirmed', source: 'import', alertsOnly: false, topics: [topics[0]!.id, topics[2]!.id].sort((a, b) => a - b) });
    expect(await repo().consents(nouveau!.id)).toMatchObject([{ kind: 'subscribe', source: 'import', basis, wordingVersion: 'lettre-2026-12' }]);
    // No topic column value: every topic, as the form proposes.
    expect(await repo().byEmail('autre@exemple.fr')).toMatchObject({ alertsOnly: true, topics: topics.map((t) => t.id).sort((a, b) => a - b) });
    expect(await ctx.c.subscribers.isSuppressed('parti@exemple.fr')).toBe(true);
    expect(await repo().byEmail('parti@exemple.fr')).toBeNull();
    // No e-mail went out for an import of confirmed addresses.
    await ctx.c.outbox.idle();
    expect(smtp.messages.some((m) => m.rcptTo.includes('nouveau@exemple.fr'))).toBe(false);

    const entry = await ctx.c.db('audit_log').where({ action: 'subscribers.imported' }).first();
    expect(entry.actor_id).toBe(user.id);
    expect(JSON.parse(entry.details)).toEqual({ count: 2, refused: 6, mode: 'confirmed', basis });
    expect(entry.details).not.toContain('@');

    // Sent again, the same file imports nothing more: every row is now refused.
    const again = await agent
      .post('/admin/subscribers/import/confirm')
      .type('form')
      .send({ _csrf: csrf, basis, mode: 'confirmed', wording: 'lettre-2026-12', csv });
    expect(again.status).toBe(400);
    expect(again.text).toContain('Aucune adresse de ce fichier ne peut être importée.');
  });

  it('keeps, with each address imported as subscribed, what the people agreed to, shown in their own data download', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const basis = 'Bulletins d’inscription papier remplis en mairie en 2025, conservés aux archives';
    const file = csvFile(['papier@exemple.fr', 'site@exemple.fr']);
    // Subscribed at once without saying what was agreed to: refused, with the reason, nothing written.
    const none = await agent
      .post('/admin/subscribers/import')
      .field('_csrf', csrf)
      .field('basis', basis)
      .field('mode', 'confirmed')
      .attach('file', file, 'liste.csv');
    expect(none.status).toBe(400);
    expect(none.text).toContain('Indiquez ce que les personnes ont accepté');
    const noText = await agent
      .post('/admin/subscribers/import/confirm')
      .type('form')
      .send({ _csrf: csrf, basis, mode: 'confirmed', wording: 'autre', wordingText: ' ', csv: 'papier@exemple.fr\n' });
    expect(noText.status).toBe(400);
    expect(noText.text).toContain('Recopiez le texte que les personnes ont accepté');
    const unknown = await agent
      .post('/admin/subscribers/import/confirm')
      .type('form')
      .send({ _csrf: csrf, basis, mode: 'confirmed', wording: 'lettre-1999', csv: 'papier@exemple.fr\n' });
    expect(unknown.status).toBe(400);
    expect(await repo().byEmail('papier@exemple.fr')).toBeNull();

    // Their own words (a paper form): previewed, then kept as the proof.
    const words = 'J’accepte de recevoir les nouvelles de la mairie par courriel. Signé le 3 mars 2025.';
    const preview = await agent
      .post('/admin/subscribers/import')
      .field('_csrf', csrf)
      .field('basis', basis)
      .field('mode', 'confirmed')
      .field('wording', 'autre')
      .field('wordingText', words)
      .attach('file', csvFile(['papier@exemple.fr']), 'liste.csv');
    expect(preview.status).toBe(200);
    expect(preview.text).toContain(`Texte accepté par les personnes : « ${words} »`);
    expect(preview.text).toContain('name="wording" value="autre"');
    const done = await agent
      .post('/admin/subscribers/import/confirm')
      .type('form')
      .send({ _csrf: csrf, basis, mode: 'confirmed', wording: 'autre', wordingText: words, csv: 'papier@exemple.fr\n' });
    expect(done.status).toBe(303);
    // The site's sentence, version named.
    await agent
      .post('/admin/subscribers/import/confirm')
      .type('form')
      .send({ _csrf: csrf, basis: 'Ancien formulaire du site, export de 2026', mode: 'confirmed', wording: 'lettre-2026-12', csv: 'site@exemple.fr\n' })
      .expect(303);

    // Each person downloads their data from their own page and finds the words they agreed to.
    const download = async (email: string) => {
      const s = await repo().byEmail(email);
      const manage = new URL(ctx.c.subscriberLinks.manageUrl(s!.id)).pathname;
      const res = await request(ctx.app).get(`${manage}/donnees`).expect(200);
      expect(res.headers['content-disposition']).toContain('attachment');
      return JSON.parse(res.text) as { source: string; consents: { kind: string; source: string; wordingVersion: string; wording: string; basis: string }[] };
    };
    const paper = await download('papier@exemple.fr');
    expect(paper.source).toBe('import');
    expect(paper.consents).toEqual([
      expect.objectContaining({ kind: 'subscribe', source: 'import', wordingVersion: 'import-texte-propre', wording: words, basis }),
    ]);
    const site = await download('site@exemple.fr');
    expect(site.consents).toEqual([
      expect.objectContaining({
        kind: 'subscribe',
        source: 'import',
        wordingVersion: 'lettre-2026-12',
        wording: expect.stringContaining('J’accepte de recevoir par e-mail la lettre d’information de '),
      }),
    ]);
    expect(site.consents[0]!.wording).not.toContain('{commune}');
  });

  it('can ask each imported address to confirm first, and refuses a file that is not UTF-8 or too large', async () => {
    const { agent, csrf } = await loginAs(ctx, 'editor');
    const basis = 'Ancienne liste de la bibliothèque, consentement par e-mail en 2024';
    const done = await agent
      .post('/admin/subscribers/import/confirm')
      .type('form')
      .send({ _csrf: csrf, basis, mode: 'double-opt-in', csv: 'a-confirmer@exemple.fr\n' });
    expect(done.status).toBe(303);
    expect(await repo().byEmail('a-confirmer@exemple.fr')).toMatchObject({ status: 'pending', source: 'import' });
    const mail = await mailTo('a-confirmer@exemple.fr', /Confirmez votre inscription/);
    const link = /http:\/\/crieur\.test(\/lettre\/confirmer\/\S+)/.exec(mail.text ?? '')![1]!;
    expect((await request(ctx.app).post(link)).status).toBe(200);
    expect(await repo().byEmail('a-confirmer@exemple.fr')).toMatchObject({ status: 'confirmed' });

    const latin1 = Buffer.from('email\nh\xe9l\xe8ne@exemple.fr\n', 'latin1');
    const bad = await agent.post('/admin/subscribers/import').field('_csrf', csrf).field('basis', basis).attach('file', latin1, 'liste.csv');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('UTF-8');
    // A NUL in the file is refused at once, not after a preview whose confirmation would fail.
    const nul = await agent
      .post('/admin/subscribers/import')
      .field('_csrf', csrf)
      .field('basis', basis)
      .attach('file', Buffer.from('email\nun\0@exemple.fr\n'), 'liste.csv');
    expect(nul.status).toBe(400);
    expect(nul.text).toContain('Ce fichier contient un caractère nul');
    const big = await agent
      .post('/admin/subscribers/import')
      .field('_csrf', csrf)
      .field('basis', basis)
      .attach('file', Buffer.alloc(600 * 1024, 'a'), 'liste.csv');
    expect(big.status).toBe(413);
    expect(big.text).toContain('500 Ko au plus');
    // A cut-off multipart body is the sender's fault: a 400, not a 500.
    const cut = await agent
      .post('/admin/subscribers/import')
      .set('Content-Type', 'multipart/form-data; boundary=xyz')
      .send(
        `--xyz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nemail\r\n`,
      );
    expect(cut.status).toBe(400);
    expect(cut.text).toContain('incomplet ou mal formé');
    // Without the token, the upload is refused before anything is read.
    expect((await agent.post('/admin/subscribers/import').field('basis', basis).attach('file', latin1, 'liste.csv')).status).toBe(403);
  });
});

describe('exporting and erasing', () => {
  it('exports UTF-8 CSV with a BOM, formulas neutralised, audited; and erases on request, after a confirmation step, leaving a hash', async () => {
    const id = await add('=effacer@exemple.fr', { topics: [topics[1]!.id] });
    const { agent, csrf } = await loginAs(ctx, 'admin');

    const exported = await agent.post('/admin/subscribers/export').type('form').send({ _csrf: csrf }).buffer(true);
    expect(exported.status).toBe(200);
    expect(exported.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(exported.headers['content-disposition']).toContain('attachment');
    const text = exported.text;
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('"email";"statut";"rubriques";"alertes_uniquement";"suivi_personnel";"source";"inscrit_le";"confirme_le";"derniere_activite"');
    expect(lines.find((l) => l.includes('effacer@exemple.fr'))).toMatch(
      new RegExp(`^"'=effacer@exemple\\.fr";"confirmé";"${topics[1]!.name}";"non";"non";"form";`),
    );
    const total = Number((await ctx.c.db('subscribers').count({ n: '*' }).first())!.n);
    expect(lines.length).toBe(total + 1);
    expect(JSON.parse((await ctx.c.db('audit_log').where({ action: 'subscribers.exported' }).first()).details)).toEqual({ count: total });
    expect((await agent.get('/admin/subscribers/export')).status).toBe(404);

    const ask = await agent.get(`/admin/subscribers/${id}/erase`);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('=effacer@exemple.fr');
    const unconfirmed = await agent.post(`/admin/subscribers/${id}/erase`).type('form').send({ _csrf: csrf });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.text).toContain('Cochez la case pour confirmer l’effacement.');
    expect(await repo().byId(id)).not.toBeNull();

    const heard: number[] = [];
    ctx.c.subscribers.events.on('erased', (e) => heard.push(e.subscriberId));
    const erased = await agent.post(`/admin/subscribers/${id}/erase`).type('form').send({ _csrf: csrf, confirm: 'oui' });
    expect(erased.status).toBe(303);
    expect(heard).toEqual([id]); // other domains delete what they keep under this number
    expect(await repo().byId(id)).toBeNull();
    expect(await ctx.c.db('subscriber_topics').where({ subscriber_id: id }).first()).toBeUndefined();
    expect(await ctx.c.subscribers.isSuppressed('=EFFACER@exemple.fr')).toBe(true);
    const entry = await ctx.c.db('audit_log').where({ action: 'subscriber.erased' }).first();
    expect(entry).toMatchObject({ target_type: 'subscriber', target_id: String(id) });
    const everything = JSON.stringify(await ctx.c.db('audit_log').select('*')) + JSON.stringify(await ctx.c.db('newsletter_suppressions').select('*'));
    expect(everything).not.toContain('effacer@');
    expect((await agent.get(`/admin/subscribers/${id}/erase`)).status).toBe(404);
    expect((await agent.get('/admin/audit')).text).toContain('Abonné effacé à sa demande');
  });

  it('quotes every text of the export and defuses a formula after a separator, so that a spreadsheet splitting on ";" or "," runs none', async () => {
    const topic = await ctx.c.categories.create({ name: 'Sport, =1+1; @tous', slug: 'sport-formule' }, { id: null, label: 'test' });
    await add('-formule@exemple.fr', { topics: [topic] });
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const text = (await agent.post('/admin/subscribers/export').type('form').send({ _csrf: csrf }).buffer(true)).text;
    expect(formulaCells(text)).toEqual([]);
    const line = text.split('\r\n').find((l) => l.includes('formule@exemple.fr'))!;
    expect(line).toMatch(/^"'-formule@exemple\.fr";"confirmé";"Sport, '=1\+1; '@tous";"non";"non";"form";"\d{4}-/);
  });

  it('registers a resident at the desk through the same confirmation e-mail', async () => {
    const { agent, csrf } = await loginAs(ctx, 'editor');
    const noConsent = await agent
      .post('/admin/subscribers/desk')
      .type('form')
      .send({ _csrf: csrf, email: 'guichet@exemple.fr', topics: String(topics[0]!.id) });
    expect(noConsent.status).toBe(400);
    expect(await repo().byEmail('guichet@exemple.fr')).toBeNull();
    const ok = await agent
      .post('/admin/subscribers/desk')
      .type('form')
      .send({ _csrf: csrf, email: 'guichet@exemple.fr', topics: String(topics[0]!.id), consent: 'oui' });
    expect(ok.status).toBe(303);
    const s = await repo().byEmail('guichet@exemple.fr');
    expect(s).toMatchObject({ status: 'pending', source: 'desk' });
    expect(await repo().consents(s!.id)).toMatchObject([{ kind: 'subscribe', source: 'desk', basis: 'Inscription au guichet de la mairie' }]);
    await mailTo('guichet@exemple.fr', /Confirmez votre inscription/);
  });
});

describe('the list’s upkeep', () => {
  it('deletes requests not confirmed within 7 days', async () => {
    const old = await add('vieille-demande@exemple.fr', { status: 'pending' });
    ctx.clock.advance(6 * DAY);
    const recent = await add('demande-recente@exemple.fr', { status: 'pending' });
    ctx.clock.advance(DAY + 60_000);
    const job = findJob('purge-subscribers')!;
    const result = (await job.run(ctx.c)) as { unconfirmed: number };
    expect(result.unconfirmed).toBeGreaterThanOrEqual(1);
    expect(await repo().byId(old)).toBeNull();
    expect(await repo().byId(recent)).not.toBeNull();
    expect(await ctx.c.subscribers.isSuppressed('vieille-demande@exemple.fr')).toBe(false);
  });

  it('asks once after 3 years without activity, keeps who answers or clicks, deletes who stays silent 30 days', async () => {
    await ctx.c.db('subscribers').delete();
    const answers = await add('repond@exemple.fr');
    const silent = await add('silencieux@exemple.fr');
    const clicks = await add('clique@exemple.fr');
    const active = await add('actif@exemple.fr');
    const reader = await add('lecteur@exemple.fr');
    const job = findJob('newsletter-reconsent')!;
    ctx.clock.advance(3 * 365 * DAY - 2 * DAY);
    await ctx.c.subscribers.recordActivity(active, ctx.clock.now());
    expect(await job.run(ctx.c)).toEqual({ asked: 0, deleted: 0 });

    ctx.clock.advance(5 * DAY); // 3 years and 3 days (a leap day included) since the others' last activity
    expect(await job.run(ctx.c)).toEqual({ asked: 4, deleted: 0 });
    expect(await job.run(ctx.c)).toEqual({ asked: 0, deleted: 0 }); // asked once only

    const mail = await mailTo('repond@exemple.fr', /continuer à recevoir la lettre/);
    // mailparser gathers the List-* headers under "list".
    const list = mail.headers.get('list') as unknown as { unsubscribe: { url: string }; 'unsubscribe-post': { name: string } };
    expect(list['unsubscribe-post'].name).toBe('List-Unsubscribe=One-Click');
    const unsubscribeUrl = list.unsubscribe.url;
    expect(unsubscribeUrl).toMatch(/^http:\/\/crieur\.test\/lettre\/desabonner\/\S+$/);
    expect(mail.text).toContain(unsubscribeUrl); // a visible unsubscribe link too
    const link = /http:\/\/crieur\.test(\/lettre\/reconfirmer\/\S+)/.exec(mail.text ?? '')![1]!;
    expect((await request(ctx.app).get(link)).text).toContain('Oui, je continue');
    expect((await repo().byId(answers))!.reconsentSentAt).not.toBeNull(); // GET changed nothing
    expect((await request(ctx.app).post(link)).status).toBe(200);
    expect(await repo().byId(answers)).toMatchObject({ reconsentSentAt: null, lastActivityAt: ctx.clock.now() });
    expect((await repo().consents(answers)).map((c) => c.kind)).toContain('reconsent');
    await ctx.c.subscribers.recordActivity(reader, ctx.clock.now()); // a click after the question answers it

    // The one-click unsubscribe of the question's headers works like any other's.
    const silentMail = await mailTo('clique@exemple.fr', /continuer à recevoir la lettre/);
    const clickerUnsubscribe = (silentMail.headers.get('list') as unknown as { unsubscribe: { url: string } }).unsubscribe.url;
    expect(clickerUnsubscribe).not.toBe(unsubscribeUrl);
    const oneClick = await request(ctx.app).post(clickerUnsubscribe.replace('http://crieur.test', '')).type('form').send('List-Unsubscribe=One-Click');
    expect(oneClick.status).toBe(200);
    expect(await repo().byId(clicks)).toBeNull();
    expect(await ctx.c.subscribers.isSuppressed('clique@exemple.fr')).toBe(true);

    ctx.clock.advance(31 * DAY);
    expect(await job.run(ctx.c)).toEqual({ asked: 0, deleted: 1 });
    expect(await repo().byId(silent)).toBeNull();
    expect(await ctx.c.subscribers.isSuppressed('silencieux@exemple.fr')).toBe(false); // deleted, not blocked
    for (const id of [answers, active, reader]) expect(await repo().byId(id)).not.toBeNull();
    // The expired question's link no longer works.
    expect((await request(ctx.app).post(link)).status).toBe(404);
  });

  it('lists both jobs with their labels', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const page = await agent.get('/admin/jobs');
    expect(page.text).toContain('Nettoyage des inscriptions non confirmées');
    expect(page.text).toContain('Renouvellement du consentement des abonnés');
  });
});
