import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { articlePath } from '../server/articles/article-url';
import { createTestContext, csrfFrom, loginAs, makeUser, type TestContext } from './helpers/context';
import { makeArticle } from './helpers/factories';
import { docx, odf, pdf, xlsx, zip } from './helpers/office-files';
import { officer } from './helpers/site-data';
import { plainSpaces } from './helpers/typography';

let ctx: TestContext;
let editor: Awaited<ReturnType<typeof loginAs>>;
beforeAll(async () => {
  ctx = await createTestContext();
  editor = await loginAs(ctx, 'editor');
});
afterAll(async () => ctx.close());

/** Files kept under DATA_DIR/attachments (the temporary folder included). */
function storedFiles(): string[] {
  const dir = path.join(ctx.dir, 'attachments');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

async function rows(): Promise<number> {
  return Number((await ctx.c.db('attachments').count({ n: '*' }).first())?.n ?? 0);
}

function upload(articleId: number, title: string, data: Buffer, filename: string, csrf: string | null = editor.csrf) {
  const req = editor.agent.post(`/admin/articles/${articleId}/attachments`);
  if (csrf !== null) req.field('_csrf', csrf);
  return req.field('title', title).attach('file', data, { filename, contentType: 'application/octet-stream' });
}

describe('attaching documents to an article', () => {
  it.each([
    ['Compte rendu du conseil', pdf(), 'cr.pdf', 'PDF', 'application/pdf', 'compte-rendu-du-conseil.pdf'],
    ['Arrêté de circulation', odf('text'), 'arrete.odt', 'ODT', 'application/vnd.oasis.opendocument.text', 'arrete-de-circulation.odt'],
    ['Budget primitif', odf('spreadsheet'), 'budget.ods', 'ODS', 'application/vnd.oasis.opendocument.spreadsheet', 'budget-primitif.ods'],
    [
      'Règlement de la cantine',
      docx(),
      'reglement.docx',
      'DOCX',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'reglement-de-la-cantine.docx',
    ],
    ['Tarifs 2026', xlsx(), 'tarifs.xlsx', 'XLSX', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'tarifs-2026.xlsx'],
    [
      'Menus de mars',
      Buffer.from('date;menu\n2026-03-16;Lasagnes végétariennes\n', 'utf8'),
      'menus.csv',
      'CSV',
      'text/csv; charset=utf-8',
      'menus-de-mars.csv',
    ],
  ])(
    'keeps a real %s file, says its type and size, and serves it for download once the article is online',
    async (title, data, filename, label, type, name) => {
      const id = await makeArticle(ctx.c, { status: 'draft', title: `Article ${title}` });
      const res = await upload(id, title, data, filename);
      expect(res.status).toBe(302);
      const page = await editor.agent.get(`/admin/articles/${id}/attachments`);
      expect(page.text).toContain(`${title} (${label}, 1 Ko)`);
      const [a] = await ctx.c.attachments.list('article', id);

      // A draft's documents are not public; the staff can open them.
      expect((await request(ctx.handler).get(`/documents/${a!.id}/${name}`)).status).toBe(404);
      const staff = await editor.agent.get(`/admin/attachments/${a!.id}/file`);
      expect(staff.status).toBe(200);
      expect(staff.headers['cache-control']).toBe('private, no-store');

      await ctx.c.articles.transition(id, 'published', officer);
      await ctx.c.dispatcher.dispatchDue();
      const article = (await ctx.c.articles.get(id))!;
      const site = await request(ctx.handler).get(articlePath(article.slug));
      expect(plainSpaces(site.text)).toContain(`${title} (${label}, 1 Ko)</a>`);
      expect(site.text).toContain(`href="/documents/${a!.id}/${name}"`);

      const file = await request(ctx.handler)
        .get(`/documents/${a!.id}/${name}`)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toBe(type);
      expect(file.headers['x-content-type-options']).toBe('nosniff');
      expect(file.headers['content-disposition']).toBe(`attachment; filename="${name}"; filename*=UTF-8''${name}`);
      expect(Buffer.compare(file.body as Buffer, data)).toBe(0);
    },
  );

  it.each([
    [
      'a program renamed .pdf',
      Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(200, 0)]),
      'rapport.pdf',
      'n’est pas d’un type accepté',
    ],
    ['a Linux program renamed .csv', Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.alloc(100, 0)]), 'menus.csv', 'pas un fichier CSV'],
    ['a web page renamed .pdf', Buffer.from('<html><script>alert(1)</script></html>'), 'menu.pdf', 'n’est pas d’un type accepté'],
    ['a ZIP of anything renamed .docx', zip([{ name: 'virus.exe', data: 'MZ' }]), 'compte-rendu.docx', 'n’est pas d’un type accepté'],
    ['an ODF with a forged type', odf('text', 'application/x-msdownload'), 'arrete.odt', 'n’est pas d’un type accepté'],
    ['a workbook with macros', xlsx({ macros: true }), 'tarifs.xlsx', 'contient des macros'],
    ['a CSV that is not UTF-8', Buffer.from('date;menu\n16/03;Crêpes\n', 'latin1'), 'menus.csv', 'n’est pas en UTF-8'],
    ['a truncated ZIP', docx().subarray(0, 60), 'cr.docx', 'est abîmé'],
  ])('refuses %s with a French message, and writes nothing', async (_what, data, filename, message) => {
    const id = await makeArticle(ctx.c, { status: 'draft' });
    const before = await rows();
    const res = await upload(id, 'Document', data, filename);
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    expect(await rows()).toBe(before);
    expect(storedFiles().length).toBe(before);
  });

  it('refuses a form without its token (403) and a file without a title, writing nothing', async () => {
    const id = await makeArticle(ctx.c, { status: 'draft' });
    const before = await rows();
    expect((await upload(id, 'Compte rendu', pdf(), 'cr.pdf', null)).status).toBe(403);
    const untitled = await upload(id, '  ', pdf(), 'cr.pdf');
    expect(untitled.status).toBe(400);
    expect(untitled.text).toContain('Donnez un titre au document.');
    const nofile = await editor.agent.post(`/admin/articles/${id}/attachments`).field('_csrf', editor.csrf).field('title', 'Rien');
    expect(nofile.status).toBe(400);
    expect(nofile.text).toContain('Choisissez un fichier à joindre.');
    expect(await rows()).toBe(before);
    expect(storedFiles().length).toBe(before);
  });

  it('enforces the size limit from the settings while receiving, even without a declared length', async () => {
    const admin = await loginAs(ctx, 'admin');
    const bad = await admin.agent.post('/admin/settings/attachments').type('form').send({ _csrf: admin.csrf, maxMb: '0' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('La taille maximale va de 1 à 200 Mo.');
    await admin.agent.post('/admin/settings/attachments').type('form').send({ _csrf: admin.csrf, maxMb: '1' }).expect(302);
    const id = await makeArticle(ctx.c, { status: 'draft' });
    const before = await rows();
    const big = Buffer.concat([pdf(), Buffer.alloc(2 * 1024 * 1024, 0x20)]);
    const declared = await upload(id, 'Trop lourd', big, 'gros.pdf');
    expect(declared.status).toBe(413);
    expect(declared.text).toContain('Ce fichier est trop lourd : 1 Mo au plus.');

    // Sent in chunks with no Content-Length: cut at the limit while it arrives.
    const server = http.createServer(ctx.app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      // A session of its own, its cookie sent by hand.
      const user = await makeUser(ctx.c, 'editor');
      const loginPage = await request(ctx.app).get('/admin/login');
      const login = await request(ctx.app)
        .post('/admin/login')
        .set('Cookie', (loginPage.headers['set-cookie'] as unknown as string[]) ?? [])
        .type('form')
        .send({ _csrf: csrfFrom(loginPage.text), email: user.email, password: user.password });
      const cookie = String((login.headers['set-cookie'] as unknown as string[])[0]).split(';')[0]!;
      const csrf = csrfFrom((await request(ctx.app).get('/admin/account').set('Cookie', cookie)).text);
      const boundary = 'crieurboundary';
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port: (server.address() as AddressInfo).port,
            method: 'POST',
            path: `/admin/articles/${id}/attachments`,
            headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked', cookie },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
        req.write(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`);
        req.write(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nÉnorme\r\n`);
        req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="enorme.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`);
        // Up to 8 MB, 64 KB at a time, stopping as soon as the answer comes.
        let sent = 0;
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (sent < 8 * 1024 * 1024 && !req.destroyed) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          if (!req.destroyed) req.end(`\r\n--${boundary}--\r\n`);
        };
        pump();
      });
      expect(status).toBe(413);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await rows()).toBe(before);
    expect(storedFiles().length).toBe(before);
    await admin.agent.post('/admin/settings/attachments').type('form').send({ _csrf: admin.csrf, maxMb: '20' }).expect(302);
  }, 60_000);

  it('gives a hostile title a safe download name, and lets the document be removed', async () => {
    const id = await makeArticle(ctx.c, { status: 'draft' });
    const res = await upload(id, 'Rapport "final" ../../etc/passwd; x=1', pdf(), 'r.pdf');
    expect(res.status).toBe(302);
    const [a] = await ctx.c.attachments.list('article', id);
    const staff = await editor.agent.get(`/admin/attachments/${a!.id}/file`);
    expect(staff.headers['content-disposition']).toBe(
      `attachment; filename="rapport-final-etc-passwd-x-1.pdf"; filename*=UTF-8''rapport-final-etc-passwd-x-1.pdf`,
    );
    const form = await editor.agent.get(`/admin/articles/${id}/edit`);
    expect(form.text).toContain('Documents joints');
    expect(plainSpaces(form.text)).toContain('(PDF, 1 Ko)');
    const removed = await editor.agent
      .post(`/admin/attachments/${a!.id}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), back: 'form' });
    expect([removed.status, removed.headers.location]).toEqual([302, `/admin/articles/${id}/edit#documents`]);
    expect(await ctx.c.attachments.list('article', id)).toEqual([]);
    expect(fs.existsSync(path.join(ctx.dir, 'attachments', a!.storageKey))).toBe(false);
  });

  it('lets an elected member read but not add documents', async () => {
    const elected = await loginAs(ctx, 'elected');
    const id = await makeArticle(ctx.c, { status: 'draft' });
    expect((await elected.agent.get(`/admin/articles/${id}/attachments`)).status).toBe(200);
    const refused = await elected.agent
      .post(`/admin/articles/${id}/attachments`)
      .field('_csrf', elected.csrf)
      .field('title', 'x')
      .attach('file', pdf(), 'cr.pdf');
    expect(refused.status).toBe(403);
  });

  it('starts the document’s title empty on the article’s form, and keeps the article’s errors to the article’s fields', async () => {
    const id = await makeArticle(ctx.c, { status: 'draft', title: 'Réfection de la place' });
    const titleField = (html: string) => /<input id="attachment-title"[^>]*>/.exec(html)?.[0] ?? '';
    const form = await editor.agent.get(`/admin/articles/${id}/edit`).expect(200);
    expect(titleField(form.text)).toContain('value=""');
    // The article saved without its title: the message is under the article's title only.
    const refused = await editor.agent
      .post(`/admin/articles/${id}`)
      .type('form')
      .send({ _csrf: editor.csrf, version: '1', title: '', summary: '', body: 'Texte.' });
    expect(refused.status).toBe(400);
    expect(refused.text.match(/id="title-error"/g)).toHaveLength(1);
    expect(refused.text).not.toMatch(/<input id="attachment-title"[^>]*title-error/);
  });
});

describe('attaching documents to one of the commune’s pages', () => {
  async function newPage(title: string, status: 'draft' | 'published'): Promise<number> {
    const res = await editor.agent
      .post('/admin/pages')
      .type('form')
      .send({ _csrf: editor.csrf, title, summary: '', slug: '', parentId: '', body: 'Les démarches de la mairie.', status })
      .redirects(0);
    expect(res.status).toBe(302);
    return Number(/\/admin\/pages\/(\d+)\/edit/.exec(res.headers.location as string)![1]);
  }

  it('shows the documents block on the page’s form, and the document at the bottom of the page once it is online', async () => {
    const id = await newPage('Inscriptions scolaires', 'draft');
    const form = await editor.agent.get(`/admin/pages/${id}/edit`).expect(200);
    expect(form.text).toContain('Documents joints');
    expect(form.text).toContain(`action="/admin/pages/${id}/attachments"`);
    const added = await editor.agent
      .post(`/admin/pages/${id}/attachments`)
      .field('_csrf', csrfFrom(form.text))
      .field('back', 'form')
      .field('title', 'Dossier d’inscription')
      .attach('file', pdf(), { filename: 'dossier.pdf', contentType: 'application/pdf' });
    expect([added.status, added.headers.location]).toEqual([302, `/admin/pages/${id}/edit#documents`]);
    const [a] = await ctx.c.attachments.list('page', id);
    expect(plainSpaces((await editor.agent.get(`/admin/pages/${id}/edit`)).text)).toContain('Dossier d’inscription (PDF, 1 Ko)');

    // A draft page's documents stay private.
    const file = `/documents/${a!.id}/dossier-d-inscription.pdf`;
    expect((await request(ctx.handler).get(file)).status).toBe(404);

    const page = (await ctx.c.pages.get(id))!;
    const online = await editor.agent
      .post(`/admin/pages/${id}`)
      .type('form')
      .send({
        _csrf: editor.csrf,
        title: page.title,
        slug: page.slug,
        parentId: '',
        summary: '',
        body: page.bodyMd,
        status: 'published',
        version: String(page.version),
      })
      .redirects(0);
    expect(online.status).toBe(302);
    const shown = await request(ctx.handler).get(page.path).expect(200);
    expect(plainSpaces(shown.text)).toContain('Dossier d’inscription (PDF, 1 Ko)');
    const href = /href="(\/documents\/[^"]+)" download/.exec(shown.text)![1]!;
    const download = await request(ctx.handler).get(href);
    expect(download.status).toBe(200);
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['content-disposition']).toContain('attachment;');

    // Removed from the form: back to the page's form, gone from the site.
    const removed = await editor.agent.post(`/admin/attachments/${a!.id}/delete`).type('form').send({ _csrf: editor.csrf, back: 'form' });
    expect([removed.status, removed.headers.location]).toEqual([302, `/admin/pages/${id}/edit#documents`]);
    expect((await request(ctx.handler).get(href)).status).toBe(404);
  });

  it('refuses a fake document on a page with a French message, and an elected member’s upload or removal', async () => {
    const id = await newPage('Règlement du cimetière', 'published');
    const before = await rows();
    const fake = await editor.agent
      .post(`/admin/pages/${id}/attachments`)
      .field('_csrf', editor.csrf)
      .field('title', 'Règlement')
      .attach('file', Buffer.from('MZ\x90\x00 not a pdf'), { filename: 'reglement.pdf', contentType: 'application/pdf' });
    expect(fake.status).toBe(400);
    expect(fake.text).toContain('Règlement du cimetière');
    expect(await rows()).toBe(before);

    const kept = await editor.agent
      .post(`/admin/pages/${id}/attachments`)
      .field('_csrf', editor.csrf)
      .field('title', 'Règlement')
      .attach('file', pdf(), { filename: 'reglement.pdf', contentType: 'application/pdf' });
    expect(kept.status).toBe(302);
    const [a] = await ctx.c.attachments.list('page', id);
    const elected = await loginAs(ctx, 'elected');
    const upload = await elected.agent.post(`/admin/pages/${id}/attachments`).field('_csrf', elected.csrf).field('title', 'x').attach('file', pdf(), 'x.pdf');
    expect(upload.status).toBe(403);
    const removal = await elected.agent.post(`/admin/attachments/${a!.id}/delete`).type('form').send({ _csrf: elected.csrf });
    expect(removal.status).toBe(403);
    expect(await ctx.c.attachments.list('page', id)).toHaveLength(1);
    // Nor is an unknown page's address an upload target.
    expect(
      (await editor.agent.post('/admin/pages/999999/attachments').field('_csrf', editor.csrf).field('title', 'x').attach('file', pdf(), 'x.pdf')).status,
    ).toBe(404);
  });
});
