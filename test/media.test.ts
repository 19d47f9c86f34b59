import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import sharp from 'sharp';
import { createTestContext, csrfFrom, loginAs, type TestContext } from './helpers/context';
import { decodeMaster, inspect } from '../server/media/image-processing';
import { MediaFiles } from '../server/media/media.files';
import { MediaService } from '../server/media/media.service';
import { MediaRepository } from '../server/media/media.repository';
import { missingTranslations } from '../server/i18n/i18n';

let ctx: TestContext;
let editor: { agent: TestAgent; csrf: string; user: { id: number } };

beforeAll(async () => {
  ctx = await createTestContext();
  editor = await loginAs(ctx, 'editor');
});
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
});

/** A photo-like JPEG: noise gives the encoders real work, unlike a flat colour. */
function photo(width: number, height: number, opts: { exif?: boolean; orientation?: number } = {}): Promise<Buffer> {
  let img = sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 120, sigma: 40 } } });
  if (opts.exif) {
    img = img.withExif({
      IFD0: { Make: 'PhoneMaker', Model: 'Phone 12' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2964/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 792/100' },
    });
  }
  if (opts.orientation) img = img.withMetadata({ orientation: opts.orientation });
  return img.jpeg({ quality: 85 }).toBuffer();
}

function upload(buf: Buffer, name: string, fields: { alt?: string; credit?: string } = {}, json = false) {
  let req = editor.agent.post('/admin/media').field('_csrf', editor.csrf);
  if (fields.alt !== undefined) req = req.field('alt', fields.alt);
  if (fields.credit !== undefined) req = req.field('credit', fields.credit);
  if (json) req = req.set('Accept', 'application/json');
  return req.attach('file', buf, name);
}

async function uploadJson(buf: Buffer, name: string, alt = '') {
  const res = await upload(buf, name, { alt }, true);
  expect(res.status).toBe(201);
  await ctx.c.media.whenReady(res.body.id);
  return (await ctx.c.media.findById(res.body.id))!;
}

/** A well-formed PNG whose header claims `width` × `height` pixels, with almost no data behind the claim. */
function pngClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(1000))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const mediaCount = async () => Number((await ctx.c.db('media').count({ n: '*' }).first())?.n ?? 0);
const mediaDirs = () => (fs.existsSync(path.join(ctx.dir, 'media')) ? fs.readdirSync(path.join(ctx.dir, 'media')) : []);
const fileOf = (url: string) => path.join(ctx.dir, url.replace(/^\//, ''));

describe('uploading an image', () => {
  it('stores AVIF, WebP and JPEG at three widths, a social card and a preview, served with immutable caching', async () => {
    const res = await upload(await photo(2000, 1500), 'marché de Noël.jpg', { alt: 'Les chalets du marché de Noël', credit: 'Mairie' });
    expect(res.status).toBe(302);
    const [row] = await ctx.c.db('media').orderBy('id', 'desc').limit(1);
    await ctx.c.media.whenReady(row.id);
    const item = (await ctx.c.media.findById(row.id))!;
    expect(item).toMatchObject({
      originalName: 'marché de Noël.jpg',
      width: 2000,
      height: 1500,
      alt: 'Les chalets du marché de Noël',
      credit: 'Mairie',
      status: 'ready',
    });

    const responsive = item.variants.filter((v) => v.kind === 'responsive');
    expect(responsive.map((v) => `${v.format}@${v.width}x${v.height}`).sort()).toEqual(
      [
        'avif@1600x1200',
        'avif@480x360',
        'avif@960x720',
        'jpeg@1600x1200',
        'jpeg@480x360',
        'jpeg@960x720',
        'webp@1600x1200',
        'webp@480x360',
        'webp@960x720',
      ].sort(),
    );
    expect(item.variants.find((v) => v.kind === 'social')).toMatchObject({ format: 'jpeg', width: 1200, height: 630 });
    expect(item.variants.find((v) => v.kind === 'preview')).toMatchObject({ format: 'jpeg', width: 400, height: 300 });

    for (const v of item.variants) {
      const meta = await sharp(fileOf(v.url)).metadata();
      expect({ format: meta.format === 'heif' ? 'avif' : meta.format, width: meta.width, height: meta.height }).toEqual({
        format: v.format,
        width: v.width,
        height: v.height,
      });
      expect(fs.statSync(fileOf(v.url)).size).toBe(v.bytes);
    }

    const avif = responsive.find((v) => v.format === 'avif' && v.width === 960)!;
    const served = await request(ctx.app).get(avif.url);
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('image/avif');
    expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(served.headers['set-cookie']).toBeUndefined();
    const jpeg = await request(ctx.app).get(item.previewUrl!);
    expect(jpeg.headers['content-type']).toBe('image/jpeg');

    const audit = await ctx.c.audit.list({ action: 'media.uploaded', limit: 10, offset: 0 });
    expect(audit.rows.some((e) => e.targetId === String(item.id) && e.actorId === editor.user.id)).toBe(true);
    // Encoding a 2000 × 1500 photo to AVIF, WebP and JPEG at three widths takes seconds, and more
    // than 30 on a machine busy with other tests (seen twice).
  }, 120_000);

  it('answers the editor’s fetch with JSON at once, the preview ready and the other sizes still being made', async () => {
    const res = await upload(await photo(1000, 800), 'salle.jpg', { alt: 'La salle des fêtes' }, true);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'processing', alt: 'La salle des fêtes' });
    expect(res.body.previewUrl).toMatch(/^\/media\/\d+\/preview-400x320-[0-9a-f]+\.jpg$/);
    expect((await request(ctx.app).get(res.body.previewUrl)).status).toBe(200);
    await ctx.c.media.whenReady(res.body.id);
    expect((await ctx.c.media.findById(res.body.id))!.status).toBe('ready');
  });

  it('never enlarges a small image: fewer widths and a smaller social card', async () => {
    const item = await uploadJson(await photo(600, 400), 'petite.jpg');
    const widths = [...new Set(item.variants.filter((v) => v.kind === 'responsive').map((v) => v.width))].sort((a, b) => a - b);
    expect(widths).toEqual([480, 600]);
    expect(item.variants.find((v) => v.kind === 'social')).toMatchObject({ width: 600, height: 315 });
  });

  it('removes EXIF and GPS data and keeps the photo upright', async () => {
    const input = await photo(800, 600, { exif: true, orientation: 6 });
    const before = await sharp(input).metadata();
    expect(before.exif).toBeDefined();
    expect(before.exif!.includes(Buffer.from('PhoneMaker'))).toBe(true);
    const item = await uploadJson(input, 'gps.jpg');
    // Orientation 6 means "turn 90°": the stored image is portrait.
    expect({ width: item.width, height: item.height }).toEqual({ width: 600, height: 800 });
    for (const v of item.variants) {
      const meta = await sharp(fileOf(v.url)).metadata();
      expect(meta.exif).toBeUndefined();
      expect(meta.orientation ?? 1).toBe(1);
      expect(fs.readFileSync(fileOf(v.url)).includes(Buffer.from('PhoneMaker'))).toBe(false);
    }
  });

  it.each([
    [
      'a PNG with transparency',
      () =>
        sharp({ create: { width: 500, height: 300, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 0.3 } } })
          .png()
          .toBuffer(),
      'logo.png',
    ],
    [
      'a WebP',
      () =>
        sharp({ create: { width: 500, height: 300, channels: 3, background: '#2a6' } })
          .webp()
          .toBuffer(),
      'photo.webp',
    ],
    [
      'a GIF',
      () =>
        sharp({ create: { width: 500, height: 300, channels: 3, background: '#26a' } })
          .gif()
          .toBuffer(),
      'anim.gif',
    ],
    [
      'an AVIF',
      () =>
        sharp({ create: { width: 500, height: 300, channels: 3, background: '#a62' } })
          .avif()
          .toBuffer(),
      'photo.avif',
    ],
  ])('accepts %s and makes the same set of files', async (_what, make, name) => {
    const item = await uploadJson(await make(), name);
    expect(item.status).toBe('ready');
    expect(
      item.variants
        .filter((v) => v.kind === 'responsive')
        .map((v) => v.format)
        .sort(),
    ).toEqual(['avif', 'avif', 'jpeg', 'jpeg', 'webp', 'webp']);
    const jpeg = item.variants.find((v) => v.format === 'jpeg' && v.kind === 'responsive')!;
    expect((await sharp(fileOf(jpeg.url)).metadata()).channels).toBe(3);
  });

  it('keeps no copy of the file as received', async () => {
    const input = await photo(700, 500);
    const item = await uploadJson(input, 'copie.jpg');
    const files = fs.readdirSync(path.join(ctx.dir, 'media', String(item.id)));
    expect(files.every((f) => !fs.readFileSync(path.join(ctx.dir, 'media', String(item.id), f)).equals(input))).toBe(true);
    expect(files.some((f) => f.startsWith('.source'))).toBe(false);
  });

  it('shows the image in the library with its name, size and description, and finds it by description', async () => {
    await uploadJson(await photo(640, 480), 'fontaine.jpg', 'La fontaine restaurée de la place');
    const page = await editor.agent.get('/admin/media?q=fontaine%20restaur');
    expect(page.status).toBe(200);
    expect(page.text).toContain('fontaine.jpg');
    expect(page.text).toContain('La fontaine restaurée de la place');
    expect(page.text).toContain('640 × 480 px');
    expect(page.text).not.toContain('marché de Noël.jpg');
    const none = await editor.agent.get('/admin/media?q=introuvable');
    expect(none.text).toContain('Aucune image ne correspond à « introuvable ».');
  });

  it('lists images as JSON for the article editor’s picker', async () => {
    const res = await editor.agent.get('/admin/media.json?q=fontaine').set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 1, page: 1, pages: 1 });
    expect(res.body.items[0]).toMatchObject({ name: 'fontaine.jpg', alt: 'La fontaine restaurée de la place', width: 640, height: 480, status: 'ready' });
    expect(res.body.items[0].previewUrl).toMatch(/^\/media\/\d+\/preview-/);
  });
});

describe('refusing bad files', () => {
  it.each([
    ['a PDF renamed photo.jpg', Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n'), 'photo.jpg', 'n’est pas une image acceptée'],
    [
      'an SVG carrying a script',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'),
      'logo.svg',
      'Les images SVG ne sont pas acceptées',
    ],
    ['an empty file', Buffer.alloc(0), 'vide.jpg', 'Choisissez une image à envoyer.'],
  ])('refuses %s with a clear message and writes nothing', async (_what, buf, name, message) => {
    const before = { rows: await mediaCount(), dirs: mediaDirs().length };
    const res = await upload(buf, name, { alt: 'x' });
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    expect(res.text).toContain('aria-invalid="true"');
    expect({ rows: await mediaCount(), dirs: mediaDirs().length }).toEqual(before);
  });

  it('refuses a decompression bomb from its header, before decoding it', async () => {
    // A PNG that claims 20000×20000 pixels (400 megapixels) with almost no data behind the claim.
    const bomb = pngClaiming(20000, 20000);
    const before = await mediaCount();
    const res = await upload(bomb, 'bombe.png', {}, true);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Cette image est trop grande (400 mégapixels) : 100 mégapixels au plus.');
    expect(await mediaCount()).toBe(before);
  });

  it.each([
    [
      '1 × 70,000',
      () =>
        sharp({ create: { width: 1, height: 70_000, channels: 3, background: '#336699' } })
          .png()
          .toBuffer(),
      '1 × 70000',
    ],
    [
      '70,000 × 1',
      () =>
        sharp({ create: { width: 70_000, height: 1, channels: 3, background: '#336699' } })
          .png()
          .toBuffer(),
      '70000 × 1',
    ],
    // Too big to build for real (100 megapixels, just under the limit): its header says it all.
    ['10 × 10,000,000', async () => pngClaiming(10, 10_000_000), '10 × 10000000'],
  ])('refuses a %s pixel strip, too elongated for its sizes to be made, and writes nothing', async (_what, make, size) => {
    const before = { rows: await mediaCount(), dirs: mediaDirs().length };
    const page = await upload(await make(), 'bande.png', { alt: 'Une bande' });
    expect(page.status).toBe(400);
    expect(page.text).toContain(
      `Cette image est trop étirée (${size} pixels) : son grand côté doit mesurer au plus 10 fois le petit. Recadrez-la puis réessayez.`,
    );
    expect(page.text).toContain('aria-invalid="true"');
    expect({ rows: await mediaCount(), dirs: mediaDirs().length }).toEqual(before);
  });

  it('makes every size of an image exactly 10 times taller than wide, the most allowed', async () => {
    const item = await uploadJson(await photo(40, 400), 'colonne.jpg', 'Une colonne Morris');
    expect(item.status).toBe('ready');
    expect(item.variants.map((v) => [v.kind, v.format, v.width, v.height]).sort()).toEqual(
      [
        ['preview', 'jpeg', 40, 400],
        ['responsive', 'avif', 40, 400],
        ['responsive', 'jpeg', 40, 400],
        ['responsive', 'webp', 40, 400],
        ['social', 'jpeg', 40, 21],
      ].sort(),
    );
  });

  it('refuses a truncated JPEG', async () => {
    const whole = await photo(800, 600);
    const before = await mediaCount();
    const res = await upload(whole.subarray(0, Math.floor(whole.length * 0.6)), 'coupée.jpg', {}, true);
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('abîmée ou incomplète');
    expect(await mediaCount()).toBe(before);
  });

  it('refuses a 25 MB file with a 413 and says why, on the page and in JSON', async () => {
    const big = Buffer.alloc(25 * 1024 * 1024, 1);
    const page = await upload(big, 'enorme.jpg', { alt: 'gardé' });
    expect(page.status).toBe(413);
    expect(page.text).toContain('Ce fichier est trop lourd : 20 Mo au plus.');
    expect(page.text).toContain('value="gardé"');
    const json = await upload(big, 'enorme.jpg', {}, true);
    expect(json.status).toBe(413);
    expect(json.body.error).toBe('Ce fichier est trop lourd : 20 Mo au plus.');
  });

  it('refuses an upload without the form’s CSRF token', async () => {
    const res = await editor.agent
      .post('/admin/media')
      .field('_csrf', 'forged')
      .attach('file', await photo(100, 100), 'a.jpg');
    expect(res.status).toBe(403);
  });
});

describe('who may do what', () => {
  it('lets an elected official see the library but not upload', async () => {
    const elected = await loginAs(ctx, 'elected');
    const page = await elected.agent.get('/admin/media');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('enctype="multipart/form-data"');
    const res = await elected.agent
      .post('/admin/media')
      .field('_csrf', elected.csrf)
      .attach('file', await photo(100, 100), 'a.jpg');
    expect(res.status).toBe(403);
  });

  it('sends anonymous visitors to the login page, and answers 401 to an anonymous upload', async () => {
    const page = await request(ctx.app).get('/admin/media');
    expect(page.status).toBe(302);
    expect(page.headers.location).toMatch(/^\/admin\/login/);
    const res = await request(ctx.app)
      .post('/admin/media')
      .attach('file', await photo(100, 100), 'a.jpg');
    expect(res.status).toBe(401);
    expect((await request(ctx.app).get('/admin/media.json').set('Accept', 'application/json')).status).toBe(401);
  });
});

describe('serving files', () => {
  it.each([
    '/media/1/..%2F..%2Fcrieur.sqlite',
    '/media/..%2Fcrieur.sqlite/x.jpg',
    '/media/../crieur.sqlite',
    '/media/1/%2e%2e/%2e%2e/crieur.sqlite',
    '/media/1/.source-10x10x3.raw',
    '/media/1/preview.JPG',
    '/media/99999/w480-0123456789ab.jpg',
  ])('answers 404 to %s', async (url) => {
    const res = await request(ctx.app).get(url);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('SQLite');
  });
});

describe('describing and deleting', () => {
  it('saves a new alt text and credit, and records it in the audit log', async () => {
    const item = await uploadJson(await photo(300, 200), 'sans-alt.jpg');
    const page = await editor.agent.get(`/admin/media/${item.id}`);
    expect(page.text).toContain('n’a pas encore de texte alternatif');
    const res = await editor.agent
      .post(`/admin/media/${item.id}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), alt: 'Le nouveau city-stade', credit: 'Service des sports' });
    expect(res.status).toBe(302);
    const after = await editor.agent.get(`/admin/media/${item.id}`);
    expect(after.text).toContain('Description de l’image enregistrée.');
    expect(after.text).toContain('Le nouveau city-stade');
    const tooLong = await editor.agent
      .post(`/admin/media/${item.id}`)
      .type('form')
      .send({ _csrf: editor.csrf, alt: 'x'.repeat(501) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toContain('Le texte alternatif doit tenir en 500 caractères.');
    const audit = await ctx.c.audit.list({ action: 'media.updated', limit: 5, offset: 0 });
    expect(audit.rows[0]?.targetId).toBe(String(item.id));
  });

  it('refuses to delete an image an article shows, and names the article', async () => {
    const item = await uploadJson(await photo(300, 200), 'utilisée.jpg');
    const now = ctx.clock.now().toISOString();
    await ctx.c.db('articles').insert({ slug: 'fete', title: 'La fête du village', status: 'draft', hero_media_id: item.id, created_at: now, updated_at: now });
    const res = await editor.agent.post(`/admin/media/${item.id}/delete`).type('form').send({ _csrf: editor.csrf });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Cette image est utilisée par l’article « La fête du village »');
    expect(await ctx.c.media.findById(item.id)).not.toBeNull();
    expect(fs.existsSync(fileOf(item.previewUrl!))).toBe(true);
  });

  it('refuses to delete the commune’s logo', async () => {
    const item = await uploadJson(await photo(300, 200), 'logo.jpg');
    await ctx.c.settings.save({ ...(await ctx.c.settings.get()), logoMediaId: item.id }, { id: null, label: 'test' });
    const res = await editor.agent.post(`/admin/media/${item.id}/delete`).type('form').send({ _csrf: editor.csrf });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Cette image est le logo de la commune');
    expect(await ctx.c.media.findById(item.id)).not.toBeNull();
    await ctx.c.settings.save({ ...(await ctx.c.settings.get()), logoMediaId: null }, { id: null, label: 'test' });
  });

  it('deletes an unused image: rows, files and an audit entry', async () => {
    const item = await uploadJson(await photo(300, 200), 'inutile.jpg');
    const page = await editor.agent.get(`/admin/media/${item.id}`);
    expect(page.text).toContain('data-confirm=');
    const res = await editor.agent
      .post(`/admin/media/${item.id}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(302);
    expect(await ctx.c.media.findById(item.id)).toBeNull();
    expect(await ctx.c.db('media_variants').where({ media_id: item.id }).first()).toBeUndefined();
    expect(fs.existsSync(path.join(ctx.dir, 'media', String(item.id)))).toBe(false);
    expect((await request(ctx.app).get(item.previewUrl!)).status).toBe(404);
    const audit = await ctx.c.audit.list({ action: 'media.deleted', limit: 5, offset: 0 });
    expect(audit.rows[0]).toMatchObject({ targetId: String(item.id), actorId: editor.user.id });
    expect((await editor.agent.get('/admin/media')).text).toContain('Image « inutile.jpg » supprimée.');
  });
});

describe('after a crash', () => {
  it('finishes images left half-made from their kept source, and marks the others failed', async () => {
    // A second service on the same database and folder plays the restarted process.
    const restarted = new MediaService({
      db: ctx.c.db,
      repo: new MediaRepository(ctx.c.db),
      audit: ctx.c.audit,
      clock: ctx.clock,
      log: ctx.c.log,
      dataDir: ctx.dir,
      usage: async () => ({ count: 0, uses: [] }),
    });
    const now = ctx.clock.now().toISOString();
    const row = { sha256: 'x'.repeat(64), width: 800, height: 600, bytes: 1, status: 'processing', created_at: now };
    const [lost] = await ctx.c
      .db('media')
      .insert({ ...row, original_name: 'perdue.jpg' })
      .returning('id');
    const [kept] = await ctx.c
      .db('media')
      .insert({ ...row, original_name: 'gardée.jpg' })
      .returning('id');
    const lostId = typeof lost === 'object' ? lost.id : lost;
    const keptId = typeof kept === 'object' ? kept.id : kept;
    const input = await photo(800, 600);
    await new MediaFiles(path.join(ctx.dir, 'media')).writeSource(keptId, await decodeMaster(input, await inspect(input)));

    // A young image may be another instance's current work: left alone.
    expect(await restarted.resumeUnfinished()).toEqual({ resumed: [], failed: [] });
    const outcome = await restarted.resumeUnfinished(new Date(ctx.clock.now().getTime() + 11 * 60_000));
    expect(outcome).toEqual({ resumed: [keptId], failed: [lostId] });
    await restarted.whenReady(keptId);
    expect((await restarted.findById(lostId))!.status).toBe('failed');
    const done = (await restarted.findById(keptId))!;
    expect(done.status).toBe('ready');
    expect(done.variants.filter((v) => v.kind === 'responsive')).toHaveLength(6);
    expect(fs.readdirSync(path.join(ctx.dir, 'media', String(keptId))).some((f) => f.startsWith('.source'))).toBe(false);
  });
});

describe('translations', () => {
  it('has an English version of every sentence of the media library', () => {
    const keys = new Set<string>();
    const dirs = [path.join(__dirname, '..', 'views', 'admin', 'media'), path.join(__dirname, '..', 'server', 'media')];
    for (const dir of dirs) {
      for (const f of fs.readdirSync(dir)) {
        const src = fs.readFileSync(path.join(dir, f), 'utf8');
        for (const m of src.matchAll(/\bt\('([^']+)'/g)) keys.add(m[1]!);
        for (const m of src.matchAll(/(?:Error|message)\(\s*'([^']+)'/g)) keys.add(m[1]!);
        for (const m of src.matchAll(/(?:NOT_AN_IMAGE|UNREADABLE) = '([^']+)'/g)) keys.add(m[1]!);
      }
    }
    expect(keys.size).toBeGreaterThan(40);
    expect(missingTranslations(keys)).toEqual([]);
  });
});

describe('an empty library', () => {
  it('explains what to do when there is no image yet', async () => {
    const fresh = await createTestContext();
    try {
      const { agent } = await loginAs(fresh, 'editor');
      const page = await agent.get('/admin/media');
      expect(page.status).toBe(200);
      expect(page.text).toContain('La médiathèque est vide.');
      expect(page.text).toContain('Décrivez ce que montre l’image');
    } finally {
      await fresh.close();
    }
  });
});
