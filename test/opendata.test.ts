import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { missingTranslations } from '../server/i18n/i18n';
import { ARTICLE_FIELDS, EVENT_FIELDS } from '../server/site/opendata';
import { createTestContext, type TestContext } from './helpers/context';
import { categoryId, officer, publishArticle } from './helpers/site-data';
import type { Article } from '../server/articles/articles.types';
import { plainSpaces } from './helpers/typography';
import { naiveCells } from './helpers/spreadsheet';

/** RFC 4180 reader, strict enough to notice a quoting mistake. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell || row.length) throw new Error('the last line does not end with CRLF');
  return rows;
}

const records = (text: string) => {
  const [header, ...rows] = parseCsv(text.replace(/^\ufeff/, ''));
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])));
};

let ctx: TestContext;
let formula: Article;
let hidden: Article;
let concert: Article;
beforeAll(async () => {
  ctx = await createTestContext();
  await publishArticle(ctx.c, {
    title: 'Travaux, rue du "Moulin"',
    summary: 'Ligne 1\nLigne 2',
    bodyMd: 'Texte **gras** & détails.',
    categoryId: await categoryId(ctx.c, 'travaux'),
  });
  formula = await publishArticle(ctx.c, { title: '=HYPERLINK("http://evil.test","clic")', summary: '-5 degrés cette nuit', bodyMd: '@tous : couvrez-vous.' });
  hidden = await publishArticle(ctx.c, {
    title: 'x;=1+1;',
    summary: 'Tarifs : 5 €,\t+2 € le dimanche;  @SOMME(A1) ; "=cmd|\' /C calc\'!A0"',
    bodyMd: 'Températures :\n\n-3 la nuit, -1 au matin, salle A,-B',
  });
  concert = await publishArticle(ctx.c, {
    title: 'Concert à l’église',
    summary: 'Chorale.',
    bodyMd: 'Entrée libre.',
    eventStart: new Date('2026-04-02T18:30:00.000Z'),
    eventEnd: new Date('2026-04-02T20:00:00.000Z'),
    eventPlace: 'Église Saint-Pierre',
  });
  await ctx.c.articles.create({ title: 'Brouillon caché', bodyMd: 'Non publié.' }, officer);
});
afterAll(async () => ctx.close());

const get = (url: string) => request(ctx.app).get(url);

describe('the open data page', () => {
  it('explains the datasets, their licence, their fields and how often they change', async () => {
    const res = await get('/donnees-ouvertes');
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.text).toContain('href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/"');
    expect(res.text).toContain('Licence Ouverte / Open Licence version 2.0');
    expect(plainSpaces(res.text)).toContain('Mise à jour : en continu, à chaque publication sur le site.');
    // Reusers learn why a CSV text may hold an apostrophe the JSON does not.
    expect(res.text).toContain('une apostrophe précède tout signe =, +, - ou @ placé au début d’un texte ou juste après une virgule, un point-virgule');
    expect(res.text).toContain('href="/donnees-ouvertes/articles.csv"');
    expect(res.text).toContain('href="/donnees-ouvertes/evenements.json"');
    // A long field name may break after its underscores on a narrow screen; it reads the same.
    expect(res.text).toContain('<code>date_<wbr>publication</code>');
    expect(res.text).toContain('<code>image_<wbr>texte_<wbr>alternatif</code>');
    expect(res.text).toContain('4 enregistrements.');
    expect(res.text).toContain('1 enregistrement.');
  });
});

describe('the open data files', () => {
  it('downloads the articles as UTF-8 CSV with a BOM, commas, CRLF and RFC 4180 quoting', async () => {
    const res = await get('/donnees-ouvertes/articles.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="articles.csv"');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.text.startsWith('\ufeff"id","slug","titre","resume","texte","categorie","url","date_publication"')).toBe(true);
    const rows = records(res.text);
    expect(rows).toHaveLength(4);
    const work = rows.find((r) => r.titre === 'Travaux, rue du "Moulin"')!;
    expect(work).toMatchObject({
      resume: 'Ligne 1\nLigne 2',
      texte: 'Texte gras & détails.',
      categorie: 'Travaux',
      date_publication: '2026-03-15T09:00:00.000Z',
      alerte: 'false',
    });
    expect(work.url).toMatch(/^http:\/\/crieur\.test\/actualites\/travaux-rue-du-moulin$/);
    expect(res.text).not.toContain('Brouillon caché');
  });

  it('defuses cells a spreadsheet would run as formulas', async () => {
    const rows = records((await get('/donnees-ouvertes/articles.csv')).text);
    const row = rows.find((r) => r.id === String(formula.id))!;
    expect(row.titre).toBe('\'=HYPERLINK("http://evil.test","clic")');
    expect(row.resume).toBe("'-5 degrés cette nuit");
    expect(plainSpaces(row.texte)).toBe("'@tous : couvrez-vous.");
  });

  it('defuses a formula after a separator, which a spreadsheet splitting on ";" or "," would run', async () => {
    const text = (await get('/donnees-ouvertes/articles.csv')).text;
    const row = records(text).find((r) => r.id === String(hidden.id))!;
    expect(row.titre).toBe("x;'=1+1;");
    expect(plainSpaces(row.resume)).toBe("Tarifs : 5 €,\t'+2 € le dimanche;  '@SOMME(A1) ; \"'=cmd|' /C calc'!A0\"");
    expect(plainSpaces(row.texte)).toBe("Températures :\n'-3 la nuit, '-1 au matin, salle A,'-B");
    const dangerous = naiveCells(text).filter((cell) => /^[=+\-@]/.test(cell));
    expect(dangerous).toEqual([]);
  });

  it('quotes every text and leaves numbers bare, so that a spreadsheet reads each as what it is', async () => {
    const text = (await get('/donnees-ouvertes/articles.csv')).text;
    const line = text.split('\r\n').find((l) => l.startsWith(`${hidden.id},`))!;
    expect(line).toMatch(new RegExp(`^${hidden.id},"${hidden.slug}","x;'=1\\+1;",`));
    expect(line).toMatch(/,false$/);
    for (const file of ['/donnees-ouvertes/articles.csv', '/donnees-ouvertes/evenements.csv']) {
      expect(naiveCells((await get(file)).text).filter((cell) => /^[=+\-@]/.test(cell))).toEqual([]);
    }
  });

  it('downloads the articles as JSON with the licence and ISO 8601 dates', async () => {
    const res = await get('/donnees-ouvertes/articles.json');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="articles.json"');
    const body = JSON.parse(res.text);
    expect(body.licence).toBe('Licence Ouverte / Open Licence version 2.0');
    expect(body.nombre).toBe(4);
    const row = body.donnees.find((r: { id: number }) => r.id === formula.id);
    expect(row.titre).toBe('=HYPERLINK("http://evil.test","clic")'); // JSON is data, not a spreadsheet
    expect(body.donnees.find((r: { id: number }) => r.id === hidden.id).titre).toBe('x;=1+1;');
    expect(row.date_publication).toBe('2026-03-15T09:00:00.000Z');
    expect(row.evenement_debut).toBeNull();
  });

  it('downloads the events, alone, in CSV and JSON', async () => {
    const csv = records((await get('/donnees-ouvertes/evenements.csv')).text);
    expect(csv).toEqual([
      expect.objectContaining({
        id: String(concert.id),
        titre: 'Concert à l’église',
        debut: '2026-04-02T18:30:00.000Z',
        fin: '2026-04-02T20:00:00.000Z',
        lieu: 'Église Saint-Pierre',
      }),
    ]);
    const json = await get('/donnees-ouvertes/evenements.json');
    expect(json.headers['content-disposition']).toBe('attachment; filename="evenements.json"');
    expect(JSON.parse(json.text).donnees).toEqual([expect.objectContaining({ titre: 'Concert à l’église', debut: '2026-04-02T18:30:00.000Z' })]);
  });

  it('has no other file', async () => {
    expect((await get('/donnees-ouvertes/articles.xml')).status).toBe(404);
  });
});

describe('the public API', () => {
  it('lists the visible articles, newest first, with paging metadata and links, readable from any site', async () => {
    const res = await get('/api/v1/articles?per_page=2');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body.meta).toEqual({ page: 1, per_page: 2, total: 4, pages: 2 });
    expect(res.body.links).toEqual({
      self: 'http://crieur.test/api/v1/articles?page=1&per_page=2',
      next: 'http://crieur.test/api/v1/articles?page=2&per_page=2',
      prev: null,
    });
    expect(res.body.data[0]).toEqual({
      id: concert.id,
      slug: concert.slug,
      title: 'Concert à l’église',
      summary: 'Chorale.',
      url: `http://crieur.test/actualites/${concert.slug}`,
      category: null,
      published_at: '2026-03-15T09:00:00.000Z',
      updated_at: '2026-03-15T09:00:00.000Z',
      image: null,
      event: { start: '2026-04-02T18:30:00.000Z', end: '2026-04-02T20:00:00.000Z', place: 'Église Saint-Pierre' },
    });
    const last = await get(res.body.links.next.replace('http://crieur.test', ''));
    expect(last.body.data).toHaveLength(2);
    expect(last.body.links.next).toBeNull();
  });

  it('filters by category', async () => {
    const res = await get('/api/v1/articles?categorie=travaux');
    expect(res.body.data.map((a: { title: string }) => a.title)).toEqual(['Travaux, rue du "Moulin"']);
    expect(res.body.data[0].category).toEqual({ slug: 'travaux', name: 'Travaux' });
    expect(res.body.links.self).toBe('http://crieur.test/api/v1/articles?page=1&per_page=20&categorie=travaux');
  });

  it('refuses bad parameters with a 400 and a message that says what to send', async () => {
    const cases: [string, string][] = [
      ['per_page=101', 'Le paramètre per_page doit être un nombre entier entre 1 et 100.'],
      ['per_page=0', 'Le paramètre per_page doit être un nombre entier entre 1 et 100.'],
      ['page=abc', 'Le paramètre page doit être un nombre entier à partir de 1.'],
      ['page=-1', 'Le paramètre page doit être un nombre entier à partir de 1.'],
      ['page=1&page=2', 'Le paramètre page doit être un nombre entier à partir de 1.'],
      ['categorie=%3Cscript%3E', 'Le paramètre categorie doit être l’identifiant d’une catégorie, comme « travaux ».'],
      ['categorie=inconnue', 'La catégorie « inconnue » n’existe pas.'],
    ];
    for (const [query, message] of cases) {
      const res = await get(`/api/v1/articles?${query}`);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.body).toEqual({ error: message });
    }
  });

  it('answers an empty page past the last one', async () => {
    const res = await get('/api/v1/articles?page=9');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
    expect(res.body.links.prev).toBe('http://crieur.test/api/v1/articles?page=1&per_page=20');
  });

  it('gives one article with its HTML body, and a JSON 404 for an unknown or unpublished one', async () => {
    const res = await get(`/api/v1/articles/${concert.slug}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: concert.id, title: 'Concert à l’église', body_html: '<p>Entrée libre.</p>' });
    const unknown = await get('/api/v1/articles/nexiste-pas');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'Cet article n’existe pas ou n’est pas publié.' });
    expect(unknown.headers['access-control-allow-origin']).toBe('*');
    const draft = await ctx.c.db('articles').where({ title: 'Brouillon caché' }).first('slug');
    expect((await get(`/api/v1/articles/${(draft as { slug: string }).slug}`)).status).toBe(404);
    const nowhere = await get('/api/v1/nowhere');
    expect(nowhere.status).toBe(404);
    expect(nowhere.headers['content-type']).toMatch(/^application\/json/);
  });

  it('answers a CORS preflight', async () => {
    const res = await request(ctx.app).options('/api/v1/articles');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toContain('GET');
  });
});

describe('the English catalogue', () => {
  it('translates every sentence of search, feeds, open data and the API', () => {
    const root = path.join(__dirname, '..');
    const files = [
      ...fs
        .readdirSync(path.join(root, 'server/site'))
        .filter((f) => /^(search|feeds|opendata|api|site-data|metadata|ical)\b.*\.ts$/.test(f))
        .map((f) => `server/site/${f}`),
      'views/site/search.ejs',
      'views/site/opendata.ejs',
    ];
    const keys = new Set<string>();
    for (const file of files) {
      const source = fs.readFileSync(path.join(root, file), 'utf8');
      for (const m of source.matchAll(/(?<![\w$])t\(\s*'((?:[^'\\\n]|\\.)*)'/g)) keys.add(m[1]!.replace(/\\(.)/g, '$1'));
      // Messages that travel as literals (errors, zod) and are translated by the error handler.
      if (file.endsWith('.ts')) for (const m of source.matchAll(/'([A-ZÀ-Ý][^'\n]*\s[^'\n]*[.!?…])'/g)) keys.add(m[1]!);
    }
    for (const f of [...ARTICLE_FIELDS, ...EVENT_FIELDS]) keys.add(f.description);
    for (const k of ['Actualités', 'Événements', 'Actualités de {commune}', 'Événements annoncés par {commune}']) keys.add(k);
    expect(keys.size).toBeGreaterThan(60);
    expect(missingTranslations(keys)).toEqual([]);
  });
});
