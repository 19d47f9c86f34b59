import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createTestContext, loginAs, type TestContext } from './helpers/context';
import { bodyImagesProblem } from '../server/editor/body-rules';
import { BUNDLE_FILE, sourceFingerprint } from '../server/editor/editor-bundle';

/**
 * What the server does for the visual editor: it serves the bundle it built itself at start (no
 * hand build, no CDN) and names it on the pages that hold an editor only; and it refuses a text
 * holding an image without a description, whatever sent it, with a message and nothing written.
 */
let ctx: TestContext;
let editor: Awaited<ReturnType<typeof loginAs>>;

beforeAll(async () => {
  ctx = await createTestContext();
  editor = await loginAs(ctx, 'editor');
});
afterAll(async () => ctx.close());

const NO_ALT = 'Une image du texte n’a pas de texte alternatif';

async function countArticles(): Promise<number> {
  const r = await ctx.c.db('articles').count({ n: '*' }).first();
  return Number(r?.n);
}

function post(body: string, title = 'Avec une image') {
  return editor.agent.post('/admin/articles').type('form').send({ _csrf: editor.csrf, title, body });
}

describe('the editor’s bundle', () => {
  it('is built by the app itself from client/ and served from Crieur with a long cache, under the strict CSP', async () => {
    // createTestContext → createApp built it (or found it up to date): no separate build step.
    expect(fs.readFileSync(BUNDLE_FILE, 'utf8').startsWith(`/* crieur visual editor ${sourceFingerprint()} */`)).toBe(true);
    const page = await editor.agent.get('/admin/articles/new');
    const src = /<script src="(\/static\/build\/visual-editor\.js\?v=[0-9a-f]{10})" defer><\/script>/.exec(page.text)?.[1];
    expect(src).toBeDefined();
    expect(page.text).toContain('<link rel="stylesheet" href="/static/css/editor.css?v=');
    expect(page.text).toMatch(/<textarea id="body" name="body" rows="18" data-visual-editor/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("style-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    const js = await request(ctx.app).get(src!);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toContain('immutable');
    expect(js.text).toContain('data-visual-editor');
    expect(js.text).not.toMatch(/https?:\/\/(cdn|unpkg|esm\.sh|jsdelivr)/);
  });

  it('is named only by the pages that hold an editor', async () => {
    for (const p of ['/admin', '/admin/articles', '/admin/media']) {
      const page = await editor.agent.get(p);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('visual-editor.js');
    }
  });

  it('carries its words in the reader’s language', async () => {
    const page = await editor.agent.get('/admin/articles/new');
    const meta = /<meta name="crieur-editor-strings" content="([^"]+)">/.exec(page.text)?.[1] ?? '';
    const strings = JSON.parse(meta.replace(/&#34;/g, '"').replace(/&amp;/g, '&').replace(/&#39;/g, "'")) as Record<string, string>;
    expect(strings.bold).toBe('Gras');
    expect(strings.imageAltMissing).toBe('Décrivez l’image : le texte alternatif est obligatoire.');
    await editor.agent.post('/admin/account/locale').type('form').send({ _csrf: editor.csrf, locale: 'en' });
    try {
      const en = await editor.agent.get('/admin/articles/new');
      expect(en.text).toContain('&#34;bold&#34;:&#34;Bold&#34;');
    } finally {
      await editor.agent.post('/admin/account/locale').type('form').send({ _csrf: editor.csrf, locale: 'fr' });
    }
  });

  it('finds its sources and its lock file to fingerprint', () => {
    expect(sourceFingerprint()).toMatch(/^[0-9a-f]{16}$/);
    // The fingerprint is what a fresh clone compares: the generated folder is never committed.
    const ignored = fs.readFileSync(path.join(__dirname, '..', '.gitignore'), 'utf8');
    expect(ignored).toMatch(/^public\/build\/$/m);
  });
});

describe('images in the text', () => {
  it('refuses a text holding an image without a description, says why on the field, and writes nothing', async () => {
    const before = await countArticles();
    for (const body of [
      'Avant.\n\n![](/media/1/w960-abc.jpg)\n\nAprès.',
      'Texte <img src="/media/1/w960-abc.jpg"> en HTML.',
      '![   ](/media/1/w960-abc.jpg)',
    ]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.text).toContain(NO_ALT);
      expect(res.text).toMatch(/<textarea id="body" name="body" rows="18" data-visual-editor aria-invalid="true"/);
    }
    const fileName = await post('![IMG_2041.jpg](/media/1/w960-abc.jpg)');
    expect(fileName.status).toBe(400);
    expect(fileName.text).toContain('donne le nom de son fichier');
    expect(await countArticles()).toBe(before);
  });

  it('accepts the same image with its description, and the site shows it with it', async () => {
    const res = await post('Avant.\n\n![Le lavoir restauré](/media/1/w960-abc.jpg)\n\nAprès.', 'Image décrite');
    expect(res.status).toBe(302);
    const row = await ctx.c.db('articles').where({ title: 'Image décrite' }).first();
    expect(row.body_html).toContain('<img src="/media/1/w960-abc.jpg" alt="Le lavoir restauré" />');
  });

  it('refuses it also when an article is changed, not only when it is created', async () => {
    const created = await post('Sans image.', 'Modifiée ensuite');
    const id = Number(/\/admin\/articles\/(\d+)/.exec(String(created.headers.location))?.[1]);
    const res = await editor.agent
      .post(`/admin/articles/${id}`)
      .type('form')
      .send({ _csrf: editor.csrf, title: 'Modifiée ensuite', body: 'Avec ![](/media/2/w480-def.jpg)', version: '1' });
    expect(res.status).toBe(400);
    expect(res.text).toContain(NO_ALT);
    expect((await ctx.c.db('articles').where({ id }).first()).body_md).toBe('Sans image.');
  });

  it('leaves alone what the site would not show anyway (other hosts, code), as the sanitizer already drops it', () => {
    expect(bodyImagesProblem('![](https://tracker.example/p.gif)')).toBeNull();
    expect(bodyImagesProblem('`![](/media/1/a.jpg)` en code')).toBeNull();
    expect(bodyImagesProblem('<img src=x onerror=alert(1)>')).toBeNull();
    expect(bodyImagesProblem('![Une description](/media/1/a.jpg)')).toBeNull();
    expect(bodyImagesProblem(`![${'x '.repeat(300)}](/media/1/a.jpg)`)).toContain('trop long');
  });
});
