import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createTestContext, loginAs, type TestContext } from './helpers/context';

/**
 * Categories managed in the admin: added, renamed (the old address answers 301), reordered,
 * merged or deleted with their articles, their subscribers' topic and their hashtags moved.
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

const post = (path: string, fields: Record<string, string> = {}, who = editor) =>
  who.agent
    .post(path)
    .type('form')
    .send({ _csrf: who.csrf, ...fields });
const pub = (path: string) => request(ctx.handler).get(path);
const categoryId = async (slug: string) => ((await ctx.c.db('categories').where({ slug }).first('id')) as { id: number } | undefined)?.id;

/** A published article in the category, online (its site publication sent). */
async function onlineArticle(title: string, categoryId: number): Promise<number> {
  const actor = { id: null, label: 'test' };
  const a = await ctx.c.articles.create({ title, bodyMd: 'Texte', categoryId }, actor);
  await ctx.c.articles.transition(a.id, 'published', actor);
  await ctx.c.dispatcher.dispatchDue();
  return a.id;
}

async function subscriber(email: string, topics: number[]): Promise<number> {
  const [row] = await ctx.c
    .db('subscribers')
    .insert({ email, status: 'confirmed', alerts_only: false, tracking: false, source: 'desk', created_at: new Date().toISOString() })
    .returning('id');
  const id = typeof row === 'object' ? (row as { id: number }).id : (row as number);
  for (const category_id of topics) await ctx.c.db('subscriber_topics').insert({ subscriber_id: id, category_id });
  return id;
}
const topicsOf = async (id: number) =>
  ((await ctx.c.db('subscriber_topics').where({ subscriber_id: id }).orderBy('category_id').select('category_id')) as { category_id: number }[]).map((r) =>
    Number(r.category_id),
  );

describe('the categories page', () => {
  it('lists the categories in order, with their address and article count, for the communication staff only', async () => {
    const page = await editor.agent.get('/admin/categories');
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="/admin/categories" aria-current="page"');
    expect(page.text.indexOf('Vie municipale')).toBeLessThan(page.text.indexOf('Travaux'));
    expect(page.text).toContain('/actualites/categorie/travaux');
    expect((await elected.agent.get('/admin/categories')).status).toBe(403);
    expect((await post('/admin/categories', { name: 'Piratée' }, elected)).status).toBe(403);
  });

  it('adds a category, and refuses an empty name, a name taken or an address taken, in French next to the field', async () => {
    const added = await post('/admin/categories', { name: 'Marchés et foires', slug: '' });
    expect(added.status).toBe(302);
    expect((await editor.agent.get('/admin/categories')).text).toContain('Catégorie « Marchés et foires » ajoutée.');
    expect(await categoryId('marches-et-foires')).toBeDefined();
    const empty = await post('/admin/categories', { name: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Indiquez le nom de la catégorie.');
    const twice = await post('/admin/categories', { name: 'marchés et foires' });
    expect(twice.status).toBe(400);
    expect(twice.text).toContain('Une catégorie porte déjà ce nom');
    const slug = await post('/admin/categories', { name: 'Chantiers', slug: 'travaux' });
    expect(slug.status).toBe(400);
    expect(slug.text).toContain('Cette adresse est déjà celle d’une autre catégorie');
    const odd = await editor.agent
      .post('/admin/categories')
      .type('form')
      .send(`_csrf=${encodeURIComponent(editor.csrf)}&name[]=a&name[]=b`);
    expect(odd.status).toBe(400);
  });

  it('keeps a Cyrillic address transliterated, and refuses one in another script rather than cut it', async () => {
    expect((await post('/admin/categories', { name: 'Спорт зал', slug: '' })).status).toBe(302);
    expect(await categoryId('sport-zal')).toBeDefined();
    const cases: [string, string][] = [
      ['ثقافة', 'Cette adresse ne peut pas s’écrire en lettres latines : indiquez-en une autre.'],
      [
        'jeunes-北京',
        'Une partie de cette adresse ne peut pas s’écrire en lettres latines (seuls les alphabets cyrillique et grec sont transcrits) : retirez-la ou indiquez une autre adresse.',
      ],
    ];
    for (const [slug, message] of cases) {
      const res = await post('/admin/categories', { name: 'Jeunesse', slug });
      expect(res.status).toBe(400);
      expect(res.text).toContain(`id="slug-error">${message}</p>`);
    }
    expect(await ctx.c.db('categories').where({ name: 'Jeunesse' }).first()).toBeUndefined();
  });

  it('moves a category down and up with buttons (no dragging needed)', async () => {
    const id = (await categoryId('vie-municipale'))!;
    await post(`/admin/categories/${id}/move`, { direction: 'down' }).expect(302);
    let page = (await editor.agent.get('/admin/categories')).text;
    expect(page.indexOf('>Travaux<')).toBeLessThan(page.indexOf('>Vie municipale<'));
    await post(`/admin/categories/${id}/move`, { direction: 'up' }).expect(302);
    page = (await editor.agent.get('/admin/categories')).text;
    expect(page.indexOf('>Vie municipale<')).toBeLessThan(page.indexOf('>Travaux<'));
    expect((await post(`/admin/categories/${id}/move`, { direction: 'sideways' })).status).toBe(400);
    expect((await post('/admin/categories/999999/move', { direction: 'up' })).status).toBe(404);
    // Without JavaScript the button saves at once and says where the category now stands.
    await post(`/admin/categories/${id}/move`, { direction: 'down' }).expect(302);
    page = (await editor.agent.get('/admin/categories')).text;
    expect(page).toContain('« Vie municipale » est maintenant en position 2 sur');
    await post(`/admin/categories/${id}/move`, { direction: 'up' }).expect(302);
  });

  it('saves the whole order sent by the page (drag and drop), and refuses a list that is no longer the current one', async () => {
    const send = (ids: number[], who = editor) =>
      who.agent
        .post('/admin/categories/order')
        .type('form')
        .send(`_csrf=${encodeURIComponent(who.csrf)}&${ids.map((x) => `order=${x}`).join('&')}`);
    const before = (await ctx.c.categories.list()).map((c) => c.id);
    const reversed = [...before].reverse();
    await send(reversed).expect(302);
    expect((await ctx.c.categories.list()).map((c) => c.id)).toEqual(reversed);
    expect((await editor.agent.get('/admin/categories')).text).toContain('Ordre des catégories enregistré.');

    // One category missing (added or deleted in another tab meanwhile): nothing changes.
    const stale = await send(before.slice(1));
    expect(stale.status).toBe(400);
    expect(stale.text).toContain('La liste des catégories a changé entre-temps : rechargez la page, puis recommencez.');
    const twice = await send([...before.slice(1), before[1]!]);
    expect(twice.status).toBe(400);
    const odd = await editor.agent
      .post('/admin/categories/order')
      .type('form')
      .send(`_csrf=${encodeURIComponent(editor.csrf)}&order=abc`);
    expect(odd.status).toBe(400);
    expect(odd.text).toContain('L’ordre envoyé n’est pas lisible');
    expect((await ctx.c.categories.list()).map((c) => c.id)).toEqual(reversed);
    expect((await send(before, elected)).status).toBe(403);

    await send(before).expect(302);
    expect((await ctx.c.categories.list()).map((c) => c.id)).toEqual(before);
  });
});

describe('renaming', () => {
  it('renames a category; its old address and feeds answer 301 to the new ones', async () => {
    const id = (await categoryId('culture'))!;
    await onlineArticle('Festival de jazz', id);
    expect((await pub('/actualites/categorie/culture')).status).toBe(200);
    const res = await post(`/admin/categories/${id}`, { name: 'Culture et patrimoine', slug: 'culture-patrimoine' });
    expect(res.status).toBe(302);
    const old = await pub('/actualites/categorie/culture?page=1');
    expect(old.status).toBe(301);
    expect(old.headers.location).toBe('/actualites/categorie/culture-patrimoine?page=1');
    const now = await pub('/actualites/categorie/culture-patrimoine');
    expect(now.status).toBe(200);
    expect(now.text).toContain('Culture et patrimoine');
    expect(now.text).toContain('Festival de jazz');
    const feed = await pub('/actualites/categorie/culture/rss.xml');
    expect(feed.status).toBe(301);
    expect(feed.headers.location).toBe('/actualites/categorie/culture-patrimoine/rss.xml');
    // A new category may take the freed address back: it then wins over the redirect.
    await post('/admin/categories', { name: 'Culture', slug: 'culture' }).expect(302);
    expect((await pub('/actualites/categorie/culture')).status).toBe(200);
    expect((await pub('/actualites/categorie/jamais-existe')).status).toBe(404);
  });
});

describe('merging and deleting', () => {
  it('merges a category into another after a confirmation that says what moves: articles, topics, hashtags, address', async () => {
    const from = (await categoryId('sport'))!;
    const to = (await categoryId('enfance-jeunesse'))!;
    const article = await onlineArticle('Tournoi de football des jeunes', from);
    const onlyFrom = await subscriber('sport@habitant.test', [from]);
    const both = await subscriber('les-deux@habitant.test', [from, to]);
    await ctx.c.hashtags.save(
      new Map([
        [from, ['#Sport']],
        [to, ['#Jeunesse']],
      ]),
      ctx.clock.now(),
    );

    const choose = await editor.agent.get(`/admin/categories/${from}/delete`);
    expect(choose.text).toContain('Cette catégorie classe 1 article.');
    expect(choose.text).toContain('Rien n’est encore changé');
    const confirm = await editor.agent.get(`/admin/categories/${from}/delete?target=${to}`);
    expect(confirm.text).toContain('1 article passera dans « Enfance et jeunesse ».');
    expect(confirm.text).toContain('2 abonnés à la lettre qui suivaient « Sport » suivront « Enfance et jeunesse ».');
    expect(await categoryId('sport')).toBe(from); // nothing done by showing the confirmation

    const res = await post(`/admin/categories/${from}/delete`, { target: String(to) });
    expect(res.status).toBe(302);
    expect((await editor.agent.get('/admin/categories')).text).toContain('« Sport » a été fusionnée dans « Enfance et jeunesse » : 1 article(s) déplacé(s).');
    expect(await categoryId('sport')).toBeUndefined();
    expect((await ctx.c.articles.get(article))!.categoryId).toBe(to);
    expect(await topicsOf(onlyFrom)).toEqual([to]);
    expect(await topicsOf(both)).toEqual([to]);
    expect(await ctx.c.hashtags.forCategory(to)).toEqual(['#Jeunesse', '#Sport']);
    const old = await pub('/actualites/categorie/sport');
    expect(old.status).toBe(301);
    expect(old.headers.location).toBe('/actualites/categorie/enfance-jeunesse');
    expect((await pub('/actualites/categorie/enfance-jeunesse')).text).toContain('Tournoi de football des jeunes');
  });

  it('deletes a category with its articles left without one; its address leads to the news list', async () => {
    const id = (await categoryId('solidarite'))!;
    const article = await onlineArticle('Collecte de la banque alimentaire', id);
    const s = await subscriber('solidaire@habitant.test', [id]);
    const confirm = await editor.agent.get(`/admin/categories/${id}/delete?target=none`);
    expect(confirm.text).toContain('1 article restera sans catégorie.');
    expect(confirm.text).toContain('il les recevra donc toujours');
    await post(`/admin/categories/${id}/delete`, { target: 'none' }).expect(302);
    expect((await ctx.c.articles.get(article))!.categoryId).toBeNull();
    expect(await topicsOf(s)).toEqual([]);
    const old = await pub('/actualites/categorie/solidarite');
    expect(old.status).toBe(301);
    expect(old.headers.location).toBe('/actualites');
    const { rows } = await ctx.c.audit.list({ limit: 50, offset: 0 });
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['category.deleted', 'category.merged', 'category.renamed', 'category.created']));
  });

  it('refuses a target it cannot read, the category itself, or one that does not exist, with a 4xx and nothing moved', async () => {
    const id = (await categoryId('environnement'))!;
    for (const target of ['abc', String(id), '999999', '']) {
      const res = await post(`/admin/categories/${id}/delete`, { target });
      expect(res.status).toBe(400);
      expect(await categoryId('environnement')).toBe(id);
    }
    expect((await editor.agent.get(`/admin/categories/${id}/delete?target=%27%20OR%201`)).status).toBe(400);
    expect((await editor.agent.get('/admin/categories/999999/delete')).status).toBe(404);
  });
});
