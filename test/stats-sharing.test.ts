import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { findJob } from '../jobs';
import { createTestContext, csrfFrom, loginAs, makeUser, PASSWORD, type TestContext } from './helpers/context';
import { makeArticle } from './helpers/factories';
import { addEvents, clearEngagement, tableRows, visibleText } from './helpers/engagement-events';
import { startSmtpPeer, type SmtpPeer } from './helpers/smtp';
import { formulaCells } from './helpers/spreadsheet';

let ctx: TestContext;
let smtp: SmtpPeer;
let elected: TestAgent;

beforeAll(async () => {
  smtp = await startSmtpPeer();
  ctx = await createTestContext({ SMTP_URL: smtp.url, SMTP_FROM: 'Mairie <mairie@commune.test>' });
  elected = (await loginAs(ctx, 'elected')).agent;
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});
beforeEach(async () => {
  await clearEngagement(ctx.c);
  ctx.clock.set(new Date('2026-03-15T09:00:00.000Z'));
});

/** The raw bytes of a response, whatever its type. */
function binary(res: request.Response, callback: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

describe('the CSV export', () => {
  it('is UTF-8 with a BOM, ";"-separated, with the totals and every article, accents intact and formulas defused', async () => {
    const a = await makeArticle(ctx.c, { title: 'Travaux rue des Écoles ; déviation' });
    const b = await makeArticle(ctx.c, { title: '=HYPERLINK("http://evil.test")' });
    await addEvents(ctx.c, [
      { at: '2026-03-14T10:00:00Z', channel: 'site', kind: 'visitor', value: 12 },
      { at: '2026-03-07T10:00:00Z', channel: 'site', kind: 'visitor', value: 3 },
      { at: '2026-03-14T10:00:00Z', channel: 'site', kind: 'view', articleId: a, value: 20 },
      { at: '2026-03-14T10:00:00Z', channel: 'site', kind: 'view', articleId: b, value: 2 },
      { at: '2026-03-14T10:00:00Z', channel: 'bluesky', kind: 'reaction', articleId: a, value: 5 },
    ]);
    const res = await elected.get('/admin/stats/export.csv?periode=7j').buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="statistiques-2026-03-09-2026-03-15.csv"');
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    // "É" is two bytes in UTF-8 (C3 89), never Latin-1 (C9).
    expect(bytes.includes(Buffer.from([0xc3, 0x89]))).toBe(true);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n');
    expect(lines.slice(0, 3)).toEqual([
      '"Indicateur";"Du 2026-03-09 au 2026-03-15";"Du 2026-03-02 au 2026-03-08"',
      '"Personnes atteintes";12;3',
      '"dont visiteurs du site";12;3',
    ]);
    expect(lines).toContain('"Interactions";5;0');
    expect(lines).toContain('"Article";"Site internet (vues)";"Lettre d’information (destinataires)";"Bluesky (affichages)";"Interactions";"Portée totale"');
    expect(lines).toContain('"Travaux rue des Écoles ; déviation";20;0;"non communiqué";5;20');
    expect(lines).toContain(`"'=HYPERLINK(""http://evil.test"")";2;0;0;0;2`);
  });

  it('defuses a formula after a separator and quotes every text, so that a spreadsheet splitting on ";" or "," runs none', async () => {
    const a = await makeArticle(ctx.c, { title: 'x;=1+1;' });
    const b = await makeArticle(ctx.c, { title: 'Salle A,-B ; @tous\n+33 1 23' });
    await addEvents(ctx.c, [
      { at: '2026-03-14T10:00:00Z', channel: 'site', kind: 'view', articleId: a, value: 4 },
      { at: '2026-03-14T10:00:00Z', channel: 'site', kind: 'view', articleId: b, value: 3 },
    ]);
    const text = (await elected.get('/admin/stats/export.csv?periode=7j').buffer(true).parse(binary)).body.toString('utf8');
    expect(formulaCells(text)).toEqual([]);
    const lines = text.replace(/^\ufeff/, '').split('\r\n');
    expect(lines).toContain(`"x;'=1+1;";4;0;0;4`);
    expect(lines[0]).toBe('"Indicateur";"Du 2026-03-09 au 2026-03-15";"Du 2026-03-02 au 2026-03-08"');
  });

  it('refuses a malformed period with a 400 and a French message, and is not for editors', async () => {
    const bad = await elected.get('/admin/stats/export.csv?periode=dates&du=2026-01-01&au=nope');
    expect(bad.status).toBe(400);
    expect(visibleText(bad.text)).toContain('Indiquez les deux dates de la période');
    const editor = (await loginAs(ctx, 'editor')).agent;
    expect((await editor.get('/admin/stats/export.csv')).status).toBe(403);
  });
});

describe('the printable monthly report', () => {
  it('shows last month against the month before, with a print stylesheet for A4 and the print button', async () => {
    const art = await makeArticle(ctx.c, { title: 'Élection du conseil des jeunes' });
    await addEvents(ctx.c, [
      { at: '2026-02-10T10:00:00Z', channel: 'newsletter', kind: 'delivery', value: 300 },
      { at: '2026-01-10T10:00:00Z', channel: 'newsletter', kind: 'delivery', value: 200 },
      { at: '2026-02-11T10:00:00Z', channel: 'site', kind: 'view', articleId: art, value: 42 },
    ]);
    const res = await elected.get('/admin/stats/rapport');
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('Rapport mensuel : février 2026');
    expect(text).toContain('du 1 février 2026 au 28 février 2026, comparée au mois précédent');
    expect(tableRows(res.text, 'Les chiffres du mois')[0]).toEqual(['Personnes atteintes', '300', '▲ en hausse de 50 % (200 sur la période précédente)']);
    expect(text).toContain('Élection du conseil des jeunes — 42 personnes atteintes');
    expect(res.text).toMatch(/<link rel="stylesheet" href="\/static\/css\/stats-print\.css\?v=\w+" media="print">/);
    expect(res.text).toContain('data-print');
    const css = await request(ctx.app).get(/href="(\/static\/css\/stats-print\.css[^"]*)"/.exec(res.text)![1]!);
    expect(css.text).toContain('size: A4');
    expect((await elected.get('/admin/stats/rapport?mois=2026-13')).status).toBe(400);
    expect(visibleText((await elected.get('/admin/stats/rapport?mois=2025-12')).text)).toContain('Rapport mensuel : décembre 2025');
  });
});

describe('the monthly report by e-mail', () => {
  it('goes to each elected account on the 1st, once, and not to those who opted out', async () => {
    const paul = await makeUser(ctx.c, 'elected', { email: 'paul.maire@commune.test', displayName: 'Paul' });
    const lea = await makeUser(ctx.c, 'elected', { email: 'lea.adjointe@commune.test', displayName: 'Léa' });
    await makeUser(ctx.c, 'editor', { email: 'com@commune.test' });
    // Léa says no, through her own page (a form with its CSRF token).
    const agent = request.agent(ctx.app);
    const login = await agent.get('/admin/login');
    await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrfFrom(login.text), email: lea.email, password: PASSWORD })
      .expect(302);
    const prefs = await agent.get('/admin/stats/rapport-par-email');
    expect(visibleText(prefs.text)).toContain('Oui, je le reçois le 1er de chaque mois');
    const bad = await agent
      .post('/admin/stats/rapport-par-email')
      .type('form')
      .send({ _csrf: csrfFrom(prefs.text), recevoir: 'peut-être' });
    expect(bad.status).toBe(400);
    expect(visibleText(bad.text)).toContain('Choisissez de recevoir ou non le rapport mensuel.');
    expect((await agent.post('/admin/stats/rapport-par-email').type('form').send({ recevoir: 'non' })).status).toBe(403);
    await agent
      .post('/admin/stats/rapport-par-email')
      .type('form')
      .send({ _csrf: csrfFrom(prefs.text), recevoir: 'non' })
      .expect(303);
    expect(visibleText((await agent.get('/admin/stats/rapport-par-email?enregistre=1')).text)).toContain('Vous ne recevez pas ce rapport.');
    expect((await agent.get('/admin/account')).text).toContain('href="/admin/stats/rapport-par-email"');

    const art = await makeArticle(ctx.c, { title: 'Fête de la musique' });
    await addEvents(ctx.c, [
      { at: '2026-03-10T10:00:00Z', channel: 'site', kind: 'visitor', value: 70 },
      { at: '2026-02-10T10:00:00Z', channel: 'site', kind: 'visitor', value: 35 },
      { at: '2026-03-10T10:00:00Z', channel: 'site', kind: 'view', articleId: art, value: 64 },
      { at: '2026-03-11T10:00:00Z', channel: 'newsletter', kind: 'unsubscribe', value: 2 },
    ]);
    const job = findJob('stats-monthly-report')!;
    // Mid-month: nothing goes out.
    expect((await ctx.c.jobRunner.run(job, 'manual')) as { detail: string }).toMatchObject({ ok: true, detail: '{"sent":0}' });
    // 1 April 2026, 00:15 in Paris (22:15 UTC on 31 March): March's report.
    ctx.clock.set(new Date('2026-03-31T22:15:00Z'));
    const elect = await ctx.c.db('users').where('role', 'elected').count({ n: '*' }).first();
    const first = await ctx.c.jobRunner.run(job, 'manual');
    expect(first).toMatchObject({ ok: true, detail: JSON.stringify({ sent: Number((elect as { n: unknown }).n) - 1 }) });
    expect(await ctx.c.jobRunner.run(job, 'manual')).toMatchObject({ ok: true, detail: '{"sent":0}' });
    await ctx.c.outbox.idle();
    await ctx.c.outbox.deliverDue();
    const mail = await smtp.waitFor((m) => m.rcptTo.includes(paul.email));
    expect(mail.subject).toBe('Chiffres de mars 2026 : la portée des informations de Ma commune');
    expect(mail.text).toContain('Personnes atteintes : 70 (en hausse de 100 % (35 sur la période précédente))');
    expect(mail.text).toContain('Désabonnements : 2 (en hausse (0 sur la période précédente))');
    expect(mail.text).toContain('1. Fête de la musique — 64 personnes atteintes');
    expect(mail.text).toContain('http://crieur.test/admin/stats/rapport?mois=2026-03');
    expect(mail.text).toMatch(/http:\/\/crieur\.test\/rapport-mensuel\/ne-plus-recevoir\/[0-9a-z]+\.[0-9a-z]+\.[A-Za-z0-9_-]{22}\n/);
    expect(mail.html).toContain('<caption style="text-align:left;font-weight:bold">Les chiffres du mois</caption>');
    expect(smtp.messages.some((m) => m.rcptTo.includes(lea.email))).toBe(false);
    expect(smtp.messages.some((m) => m.rcptTo.includes('com@commune.test'))).toBe(false);
    // On the 4th, a month not yet sent is no longer caught up (nothing is sent mid-month).
    ctx.clock.set(new Date('2026-05-04T08:00:00Z'));
    expect(await ctx.c.jobRunner.run(job, 'manual')).toMatchObject({ ok: true, detail: '{"sent":0}' });
  });
});
