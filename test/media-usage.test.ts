import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import sharp from 'sharp';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import type { MediaItem } from '../server/media/media.types';

/**
 * "Utilisation" in the media library counts every place that would show a broken image if the
 * image were deleted: an article's picture, an image inside an article's or a page's text, and a
 * change proposed to an online article that waits for approval. Deleting is refused while any
 * remains, naming it; the image page lists them with a link to each.
 */
let ctx: TestContext;
let editor: { agent: TestAgent; csrf: string; user: { id: number } };
const officer = { id: null, label: 'test' };

beforeAll(async () => {
  ctx = await createTestContext();
  editor = await loginAs(ctx, 'editor');
});
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
});

async function picture(name: string): Promise<MediaItem> {
  const buf = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#4a7' } })
    .jpeg()
    .toBuffer();
  const res = await editor.agent
    .post('/admin/media')
    .field('_csrf', editor.csrf)
    .field('alt', 'Le lavoir au bord de la Lizonne')
    .set('Accept', 'application/json')
    .attach('file', buf, name);
  expect(res.status).toBe(201);
  await ctx.c.media.whenReady(res.body.id);
  return (await ctx.c.media.findById(res.body.id))!;
}

/** The Markdown the visual editor writes for an image of the library, with its description. */
const inText = (item: MediaItem) => `Le lavoir a été restauré.\n\n![Le lavoir au bord de la Lizonne](${item.previewUrl})\n\nVenez le voir.`;
const remove = (item: MediaItem) => editor.agent.post(`/admin/media/${item.id}/delete`).type('form').send({ _csrf: editor.csrf });
const fileOf = (url: string) => path.join(ctx.dir, 'media', url.replace(/^\/media\//, ''));

async function stillThere(item: MediaItem): Promise<void> {
  expect(await ctx.c.media.findById(item.id)).not.toBeNull();
  expect(fs.existsSync(fileOf(item.previewUrl!))).toBe(true);
  expect((await request(ctx.handler).get(item.previewUrl!)).status).toBe(200);
}

describe('an image used inside a text', () => {
  it('is listed as used by the page whose text shows it, and cannot be deleted until taken out', async () => {
    const item = await picture('lavoir-page.jpg');
    const page = await ctx.c.pages.create(
      { title: 'Le patrimoine', slug: '', parentId: null, summary: '', bodyMd: inText(item), status: 'published' },
      officer,
    );
    const onSite = await request(ctx.handler).get('/le-patrimoine');
    expect(onSite.status).toBe(200);
    expect(onSite.text).toContain(`/media/${item.id}/`);

    const shown = await editor.agent.get(`/admin/media/${item.id}`).expect(200);
    expect(shown.text).toContain('Utilisée à un endroit :');
    expect(shown.text).toContain(`<a href="/admin/pages/${page.id}/edit">Page « Le patrimoine »</a>`);
    expect(shown.text).not.toContain(`action="/admin/media/${item.id}/delete"`);

    const refused = await remove(item);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Cette image est utilisée par la page « Le patrimoine » : retirez-la de la page avant de la supprimer.');
    await stillThere(item);

    // Taken out of the page's text: now it can go.
    await ctx.c.db('pages').where({ id: page.id }).update({ body_md: 'Le lavoir a été restauré.' });
    expect((await editor.agent.get(`/admin/media/${item.id}`)).text).toContain('Aucun article ni aucune page n’utilise cette image.');
    expect((await remove(item)).status).toBe(302);
    expect(await ctx.c.media.findById(item.id)).toBeNull();
  });

  it('counts an article’s text, an article’s picture and a proposed change, and names them all', async () => {
    const item = await picture('lavoir-partout.jpg');
    const inBody = await ctx.c.articles.create({ title: 'Le lavoir restauré', bodyMd: inText(item) }, officer);
    const asHero = await ctx.c.articles.create({ title: 'Journées du patrimoine', bodyMd: 'Programme.', heroMediaId: item.id, heroAlt: 'Le lavoir' }, officer);
    const online = await ctx.c.articles.create({ title: 'La fête du village', bodyMd: 'Texte approuvé.' }, officer);
    // A change to an online article waiting for an elected member: approving it would show the image.
    const snapshot = { ...(await ctx.c.articles.get(online.id))!, bodyMd: inText(item) };
    const now = ctx.clock.now().toISOString();
    await ctx.c.db('article_revisions').insert({
      article_id: online.id,
      base_version: 1,
      snapshot: JSON.stringify({
        title: snapshot.title,
        slug: snapshot.slug,
        summary: '',
        bodyMd: snapshot.bodyMd,
        categoryId: null,
        heroMediaId: null,
        heroAlt: '',
      }),
      status: 'pending',
      created_at: now,
      updated_at: now,
    });

    const shown = await editor.agent.get(`/admin/media/${item.id}`).expect(200);
    expect(shown.text).toContain('Utilisée à 3 endroits :');
    expect(shown.text).toContain(`<a href="/admin/articles/${inBody.id}">Article « Le lavoir restauré »</a>`);
    expect(shown.text).toContain(`<a href="/admin/articles/${asHero.id}">Article « Journées du patrimoine »</a>`);
    expect(shown.text).toContain(`<a href="/admin/articles/${online.id}/proposal">Modification proposée de l’article « La fête du village »</a>`);
    const refused = await remove(item);
    expect(refused.status).toBe(409);
    expect(refused.text).toMatch(/Cette image est utilisée à 3 endroits, dont « [^»]+ » : retirez-la de chacun avant de la supprimer\./);
    await stillThere(item);

    // Only the proposal left: still refused, and it says which one.
    await ctx.c.db('articles').whereIn('id', [inBody.id, asHero.id]).del();
    const proposal = await remove(item);
    expect(proposal.status).toBe(409);
    expect(proposal.text).toContain('Cette image est utilisée par la modification proposée de l’article « La fête du village »');
    // Refused by the elected member: nothing shows the image any more.
    await ctx.c.db('article_revisions').where({ article_id: online.id }).update({ status: 'refused' });
    expect((await remove(item)).status).toBe(302);
  });
});
