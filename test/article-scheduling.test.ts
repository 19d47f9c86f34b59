import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { DEFAULT_SETTINGS, type CommuneSettings } from '../server/settings/settings.defaults';
import { mergeSettings } from '../server/settings/settings.service';

/**
 * "Programmer" says what it does: saving never schedules, scheduling is its own button with its
 * date, a scheduled article can be moved or unscheduled, and under required approval an editor's
 * "Programmer" waits for the elected member's approval. Checked on the public site.
 */
let ctx: TestContext;
type Who = { agent: TestAgent; csrf: string; user: { id: number } };
let editor: Who;
let elected: Who;

beforeAll(async () => {
  ctx = await createTestContext();
  editor = await loginAs(ctx, 'editor');
  elected = await loginAs(ctx, 'elected');
});
afterAll(async () => ctx.close());

async function setApproval(requireApproval: boolean) {
  await ctx.c.settings.initialize(mergeSettings(DEFAULT_SETTINGS, { requireApproval } as Partial<CommuneSettings>));
}

async function create(fields: Record<string, string>, who = editor) {
  const res = await who.agent
    .post('/admin/articles')
    .type('form')
    .send({ _csrf: who.csrf, ...fields });
  return { res, id: Number(/\/admin\/articles\/(\d+)\/edit/.exec(String(res.headers.location))?.[1]) };
}

const row = (id: number) => ctx.c.db('articles').where({ id }).first();
const site = (slug: string) => request(ctx.handler).get(`/actualites/${slug}`);
async function follow(res: request.Response, who = editor) {
  return who.agent.get(String(res.headers.location));
}

describe('saving and scheduling are two different buttons', () => {
  beforeAll(() => setApproval(false));

  // "Publier maintenant" sits beside "Enregistrer" and the date with "Programmer" comes after, in
  // the order a phone shows them (two short rows), so that Tab follows what the officer sees.
  it('offers "Enregistrer" first (the Enter key), then "Publier maintenant", then the date with "Programmer"', async () => {
    const page = await editor.agent.get('/admin/articles/new');
    const save = page.text.indexOf('name="intent" value="save"');
    const schedule = page.text.indexOf('name="intent" value="schedule"');
    const publish = page.text.indexOf('name="intent" value="publish"');
    expect(save).toBeGreaterThan(0);
    expect(save).toBeLessThan(publish);
    expect(publish).toBeLessThan(schedule);
    expect(page.text).toContain('<label for="publishAt">Date de publication</label>');
    expect(page.text).toContain('« Enregistrer » ne programme rien.');
  });

  it('keeps a draft saved with a date to come a draft, and says it is not scheduled, in the form and in the list', async () => {
    const { res, id } = await create({ title: 'Fête de la musique', body: 'Place du marché', publishAt: '2026-06-21T18:00', intent: 'save' });
    const page = await follow(res);
    expect(page.text).toContain('L’article reste en brouillon : il n’est pas programmé. Pour qu’il parte le 21 juin 2026, 18:00');
    expect((await row(id)).status).toBe('draft');
    const list = await editor.agent.get('/admin/articles');
    expect(list.text).toMatch(/Fête de la musique[\s\S]*?Brouillon[\s\S]*?Prévu le 21 juin 2026, 18:00 \(non programmé\)/);
    // The date comes and goes: nothing went out.
    ctx.clock.set(new Date('2026-06-22T08:00:00Z'));
    await ctx.c.dispatcher.dispatchDue();
    expect((await site('fete-de-la-musique')).status).toBe(404);
    ctx.clock.set(new Date('2026-03-15T09:00:00Z'));
  });

  it('schedules with "Programmer": nothing on the site before the date, the page once it has come', async () => {
    const { res, id } = await create({ title: 'Vide-grenier de printemps', body: 'Stade municipal', publishAt: '2026-04-12T07:30', intent: 'schedule' });
    const page = await follow(res);
    expect(page.text).toContain('Publication programmée le 12 avr. 2026, 07:30.');
    expect(page.text).toContain('Programmé le 12 avr. 2026, 07:30');
    expect(page.text).toContain('>Déplacer</button>');
    expect(page.text).toContain('>Déprogrammer</button>');
    expect((await row(id)).status).toBe('published');
    await ctx.c.dispatcher.dispatchDue();
    expect((await site('vide-grenier-de-printemps')).status).toBe(404);
    const scheduled = await editor.agent.get('/admin/articles?status=scheduled');
    expect(scheduled.text).toContain('Part le 12 avr. 2026, 07:30');
    ctx.clock.set(new Date('2026-04-12T05:31:00Z'));
    await ctx.c.dispatcher.dispatchDue();
    expect((await site('vide-grenier-de-printemps')).status).toBe(200);
    ctx.clock.set(new Date('2026-03-15T09:00:00Z'));
  });

  it('refuses "Programmer" without a date or with a past one, next to the field, and saves nothing', async () => {
    const before = Number((await ctx.c.db('articles').count({ n: '*' }).first())?.n);
    const empty = await create({ title: 'Sans date', intent: 'schedule' });
    expect(empty.res.status).toBe(400);
    expect(empty.res.text).toContain('Choisissez une date à venir pour programmer l’article');
    expect(empty.res.text).toContain('id="publishAt-error"');
    const past = await create({ title: 'Date passée', publishAt: '2026-03-01T10:00', intent: 'schedule' });
    expect(past.res.status).toBe(400);
    expect(Number((await ctx.c.db('articles').count({ n: '*' }).first())?.n)).toBe(before);
    const odd = await create({ title: 'Action inconnue', intent: 'detruire' });
    expect(odd.res.status).toBe(400);
    expect(odd.res.text).toContain('Le formulaire contient des erreurs');
  });

  it('moves a scheduled article and its site publication to the new date', async () => {
    const { id } = await create({ title: 'Collecte des encombrants', publishAt: '2026-04-01T08:00', intent: 'schedule' });
    const res = await editor.agent.post(`/admin/articles/${id}/schedule`).type('form').send({ _csrf: editor.csrf, publishAt: '2026-04-03T09:15' });
    expect(res.status).toBe(302);
    expect((await follow(res)).text).toContain('Publication déplacée au 3 avr. 2026, 09:15.');
    expect((await row(id)).publish_at).toBe('2026-04-03T07:15:00.000Z');
    const [pub] = await ctx.c.publishing.statuses(id);
    expect(pub!.scheduledAt.toISOString()).toBe('2026-04-03T07:15:00.000Z');
  });

  it('unschedules a scheduled article back to draft: it never goes out', async () => {
    const { id } = await create({ title: 'Concert annulé', publishAt: '2026-04-02T18:00', intent: 'schedule' });
    const res = await editor.agent.post(`/admin/articles/${id}/unschedule`).type('form').send({ _csrf: editor.csrf });
    expect((await follow(res)).text).toContain('Programmation annulée : l’article est revenu en brouillon et ne partira pas.');
    expect((await row(id)).status).toBe('draft');
    ctx.clock.set(new Date('2026-04-03T08:00:00Z'));
    await ctx.c.dispatcher.dispatchDue();
    expect((await site('concert-annule')).status).toBe(404);
    ctx.clock.set(new Date('2026-03-15T09:00:00Z'));
    // Nothing to unschedule any more: a clear refusal, not a 500.
    const again = await editor.agent.post(`/admin/articles/${id}/unschedule`).type('form').send({ _csrf: editor.csrf });
    expect(again.status).toBe(409);
    expect(again.text).toContain('Cet article n’est pas programmé');
  });

  it('says nothing of approval by the urgent checkbox when the commune does not require it', async () => {
    const page = await editor.agent.get('/admin/articles/new');
    expect(page.text).toContain('Information urgente');
    expect(page.text).not.toContain('une information urgente attend elle aussi');
  });

  it('publishes now with "Publier maintenant" even when a date to come was typed', async () => {
    const { id } = await create({ title: 'Route barrée', publishAt: '2026-05-01T08:00', intent: 'publish' });
    const r = await row(id);
    expect(r.status).toBe('published');
    expect(new Date(r.publish_at).getTime()).toBeLessThanOrEqual(ctx.clock.now().getTime());
    await ctx.c.dispatcher.dispatchDue();
    expect((await site('route-barree')).status).toBe(200);
  });

  it('publishes now an article scheduled then unscheduled: its site page comes forward, not left at the old date', async () => {
    const { id } = await create({ title: 'Place de la Mairie', body: 'Travaux', publishAt: '2026-04-20T09:00', intent: 'schedule' });
    await editor.agent.post(`/admin/articles/${id}/unschedule`).type('form').send({ _csrf: editor.csrf }).expect(302);
    const version = String((await row(id)).version);
    const res = await editor.agent
      .post(`/admin/articles/${id}`)
      .type('form')
      .send({ _csrf: editor.csrf, version, title: 'Place de la Mairie', body: 'Travaux', publishAt: '2026-04-20T09:00', intent: 'publish' });
    const page = (await follow(res)).text;
    expect(page).toContain('Article publié.');
    expect(page).not.toContain('Aucune modification à enregistrer.');
    await ctx.c.dispatcher.dispatchDue();
    // The list says "Publié le" today: the page must be on the site today, not on 20 April.
    expect((await site('place-de-la-mairie')).status).toBe(200);
    const [pub] = await ctx.c.publishing.statuses(id);
    expect(pub!.status).toBe('sent');
  });

  it('answers a forged date with a French 400, never a 500', async () => {
    const { id } = await create({ title: 'Date bizarre' });
    for (const publishAt of ['demain', '2026-13-45T99:99', ['a', 'b']]) {
      const res = await editor.agent.post(`/admin/articles/${id}/schedule`).type('form').send({ _csrf: editor.csrf, publishAt });
      expect(res.status).toBe(400);
    }
    expect((await elected.agent.post(`/admin/articles/${id}/schedule`).type('form').send({ _csrf: elected.csrf, publishAt: '2026-05-01T08:00' })).status).toBe(
      403,
    );
  });
});

describe('scheduling when the commune requires approval', () => {
  beforeAll(() => setApproval(true));
  afterAll(() => setApproval(false));

  it('sends an editor’s "Programmer" to review with its date; the approval schedules it', async () => {
    const { res, id } = await create({ title: 'Réunion publique PLU', body: 'Salle des fêtes', publishAt: '2026-04-20T17:00', intent: 'schedule' });
    const page = await follow(res);
    expect(page.text).toContain('Demande de programmation envoyée : l’article attend l’approbation d’un élu, puis partira le 20 avr. 2026, 17:00.');
    expect(page.text).not.toContain('Programmé le 20 avr.');
    let r = await row(id);
    expect(r.status).toBe('review');
    const list = await editor.agent.get('/admin/articles?status=review');
    expect(list.text).toContain('Demandé pour le 20 avr. 2026, 17:00');

    const approve = await elected.agent.post(`/admin/articles/${id}/status`).type('form').send({ _csrf: elected.csrf, to: 'approved' });
    expect((await follow(approve, elected)).text).toContain('Article approuvé : il est programmé comme demandé, pour le 20 avr. 2026, 17:00.');
    r = await row(id);
    expect(r.status).toBe('published');
    expect(r.publish_at).toBe('2026-04-20T15:00:00.000Z');
    await ctx.c.dispatcher.dispatchDue();
    expect((await site('reunion-publique-plu')).status).toBe(404);
    ctx.clock.set(new Date('2026-04-20T15:00:30Z'));
    await ctx.c.dispatcher.dispatchDue();
    expect((await site('reunion-publique-plu')).status).toBe(200);
    ctx.clock.set(new Date('2026-03-15T09:00:00Z'));
  });

  it('offers an editor no "Publier maintenant" on a draft, and lets them withdraw the request', async () => {
    const page = await editor.agent.get('/admin/articles/new');
    expect(page.text).not.toContain('value="publish"');
    expect(page.text).toContain('« Programmer » soumet l’article à l’approbation d’un élu');
    // An officer in a hurry with a storm alert learns by the checkbox that it will wait too.
    expect(page.text).toContain('une information urgente attend elle aussi qu’un élu l’approuve avant de partir');
    const { id } = await create({ title: 'Kermesse', publishAt: '2026-06-01T10:00', intent: 'schedule' });
    const res = await editor.agent.post(`/admin/articles/${id}/unschedule`).type('form').send({ _csrf: editor.csrf });
    expect(res.status).toBe(302);
    const r = await row(id);
    expect(r.status).toBe('draft');
    expect(Boolean(r.schedule_requested)).toBe(false);
  });
});
