import request from 'supertest';
import { createTestContext, type TestContext } from './helpers/context';
import { categoryId, officer, publishArticle } from './helpers/site-data';
import { parseQuery } from '../server/site/search.text';
import { isPostgres } from '../server/db/dialect';
import { plainSpaces } from './helpers/typography';

// Runs on SQLite (FTS5) and, with DATABASE_URL=postgres://…, on PostgreSQL (GIN expression index).
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  const travaux = await categoryId(ctx.c, 'travaux');
  await publishArticle(ctx.c, {
    title: 'Rentrée à l’École Jules-Ferry',
    summary: 'Les inscriptions sont ouvertes.',
    bodyMd: 'La cantine rouvre le **lundi**.',
  });
  await publishArticle(ctx.c, { title: 'Programme de la fete du village', summary: 'Manèges et bal.', bodyMd: 'Rendez-vous place de la Mairie.' });
  await publishArticle(ctx.c, {
    title: 'Travaux de voirie',
    summary: 'Circulation alternée rue du Moulin.',
    bodyMd: 'Les engins passeront devant les écoles du quartier.',
    categoryId: travaux,
  });
  await ctx.c.articles.create({ title: 'Brouillon secret sur l’école', bodyMd: 'Pas encore publié.' }, officer);
  const withdrawn = await publishArticle(ctx.c, { title: 'Ancienne école désaffectée', bodyMd: 'Retiré du site.' });
  await ctx.c.articles.transition(withdrawn.id, 'archived', officer);
  await publishArticle(ctx.c, {
    title: 'Les vœux du maire',
    summary: 'Cérémonie à la mairie.',
    bodyMd: 'Un moment de partage au Cœur du village, ex æquo avec la galette.',
  });
});
afterAll(async () => ctx.close());

const search = (q: string, page?: number) =>
  request(ctx.app)
    .get('/recherche')
    .query(page ? { q, page } : { q });

describe('searching the site', () => {
  it('shows a labelled search form and sets no cookie', async () => {
    const res = await request(ctx.app).get('/recherche');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<label for="search-q">Rechercher sur le site<\/label>/);
    expect(res.text).toContain('id="search-q" name="q"');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('finds "École" when the reader types "ecole", and "fete" when they type "fête"', async () => {
    const ecole = await search('ecole');
    expect(ecole.status).toBe(200);
    expect(ecole.text).toContain('Rentrée à l’<mark>École</mark> Jules-Ferry');
    const fete = await search('FÊTE');
    expect(fete.text).toContain('Programme de la <mark>fete</mark> du village');
    expect(plainSpaces(fete.text)).toContain('1 résultat pour « FÊTE ».');
  });

  it('finds "vœux" when the reader types "voeux", "Cœur" for "coeur" and "æquo" for "aequo", and the other way round', async () => {
    const voeux = await search('voeux');
    expect(plainSpaces(voeux.text)).toContain('1 résultat pour « voeux ».');
    expect(voeux.text).toContain('Les <mark>vœux</mark> du maire');
    const coeur = await search('coeur');
    expect(coeur.text).toContain('Les vœux du maire');
    expect(coeur.text).toContain('au <mark>Cœur</mark> du village');
    expect((await search('aequo')).text).toContain('Les vœux du maire');
    expect(plainSpaces((await search('VŒUX')).text)).toContain('1 résultat pour « VŒUX ».');
    expect((await search('vœu')).text).toContain('Les <mark>vœux</mark> du maire');
  });

  it('folds the ligatures of an article written before the search knew them', async () => {
    const old = await createTestContext();
    try {
      const migration = '20261202003100_search_ligatures.ts';
      await old.c.db.migrate.down({ name: migration });
      await publishArticle(old.c, { title: 'Présentation des vœux', bodyMd: 'Texte.' });
      expect((await request(old.app).get('/recherche').query({ q: 'voeux' })).text).toContain('Aucun résultat');
      await old.c.db.migrate.latest();
      old.c.siteCache.clear();
      expect((await request(old.app).get('/recherche').query({ q: 'voeux' })).text).toContain('Présentation des <mark>vœux</mark>');
      await old.c.db.migrate.down({ name: migration }); // and back, on both databases
      await old.c.db.migrate.latest();
      expect((await request(old.app).get('/recherche').query({ q: 'voeux' })).text).toContain('Présentation des <mark>vœux</mark>');
    } finally {
      await old.close();
    }
  });

  it('finds words by their beginning and in the body, with the passage shown', async () => {
    const res = await search('engin');
    expect(res.text).toContain('Travaux de voirie');
    expect(res.text).toContain('Les <mark>engins</mark> passeront devant les écoles du quartier.');
  });

  it('lists a title match before a match in the body only', async () => {
    const res = await search('écoles');
    const first = res.text.indexOf('Rentrée à l’');
    const second = res.text.indexOf('Travaux de voirie');
    expect(first).toBeGreaterThan(-1);
    expect(second).toBeGreaterThan(first);
  });

  it('requires every word', async () => {
    const res = await search('école cantine');
    expect(res.text).toContain('1 résultat pour');
    expect(res.text).not.toContain('Travaux de voirie');
  });

  it('never shows a draft or an article taken off the site', async () => {
    const res = await search('école');
    expect(res.text).not.toContain('Brouillon secret');
    expect(res.text).not.toContain('Ancienne école');
  });

  it('answers queries full of operators, quotes and markup with a page, echoing them safely', async () => {
    for (const q of [
      '<script>alert(1)</script>',
      '"',
      '*',
      "'; drop table articles; --",
      'NEAR(a b)',
      'title:école',
      '-école',
      'école OR fête',
      '🎉',
      '\\',
      '%_',
      'a'.repeat(500),
    ]) {
      const res = await search(q);
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('<script>alert');
    }
    const res = await search('<script>alert(1)</script>');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect((await search('école')).text).toContain('Rentrée'); // the table is still there
  });

  it('says so when nothing matches, with suggestions and the categories that have news', async () => {
    const res = await search('zoulou');
    expect(res.status).toBe(200);
    expect(plainSpaces(res.text)).toContain('Aucun résultat pour « zoulou ».');
    expect(res.text).toContain('Vérifiez l’orthographe des mots.');
    expect(res.text).toContain('href="/actualites/categorie/travaux"');
  });

  it('sees an edited title at once, and forgets the old one', async () => {
    const a = await publishArticle(ctx.c, { title: 'Collecte des encombrants', bodyMd: 'Texte.' });
    expect((await search('encombrants')).text).toContain('Collecte des');
    await ctx.c.articles.update(a.id, { title: 'Ramassage des déchets verts' }, a.version, officer);
    expect((await search('encombrants')).text).toContain('Aucun résultat');
    expect((await search('dechets')).text).toContain('Ramassage des <mark>déchets</mark> verts');
    await ctx.c.articles.transition(a.id, 'archived', officer);
  });

  it('finds an article by the name of its category, alone or with words of its text, text matches first', async () => {
    const culture = await categoryId(ctx.c, 'culture');
    const quiet = await publishArticle(ctx.c, { title: 'Exposition d’aquarelles', bodyMd: 'Au foyer rural, tout le mois.', categoryId: culture });
    const loud = await publishArticle(ctx.c, { title: 'La culture au foyer rural', bodyMd: 'Une saison de spectacles.' });
    const alone = await search('CULTURE');
    expect(plainSpaces(alone.text)).toContain('2 résultats pour « CULTURE ».');
    // A match in the text ranks before a match by the category's name alone.
    expect(alone.text.indexOf(`/actualites/${loud.slug}`)).toBeLessThan(alone.text.indexOf(`/actualites/${quiet.slug}`));
    const mixed = await search('cultur aquarelles');
    expect(plainSpaces(mixed.text)).toContain('1 résultat pour « cultur aquarelles ».');
    expect(mixed.text).toContain('Exposition d’<mark>aquarelles</mark>');
    expect((await search('culture zoulou')).text).toContain('Aucun résultat');
    // A category renamed in the admin is found by its new name.
    await ctx.c.db('categories').where({ id: culture }).update({ name: 'Loisirs et patrimoine' });
    expect(plainSpaces((await search('patrimoine aquarelles')).text)).toContain('1 résultat');
    for (const a of [quiet, loud]) await ctx.c.articles.transition(a.id, 'archived', officer);
    await ctx.c.db('categories').where({ id: culture }).update({ name: 'Culture' });
  });

  it('keeps its index consistent through edits and deletions', async () => {
    const draft = await ctx.c.articles.create({ title: 'Kermesse annulée', bodyMd: 'Texte.' }, officer);
    await ctx.c.articles.update(draft.id, { bodyMd: 'Nouveau texte sur la kermesse.' }, draft.version, officer);
    await ctx.c.articles.delete(draft.id, officer);
    if (!isPostgres(ctx.c.db)) await ctx.c.db.raw("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')");
    expect((await search('kermesse')).text).toContain('Aucun résultat');
  });

  it('pages through many results', async () => {
    for (let i = 1; i <= 12; i++) await publishArticle(ctx.c, { title: `Conseil municipal numéro ${i}`, bodyMd: 'Ordre du jour.' });
    const first = await search('conseil');
    expect(plainSpaces(first.text)).toContain('12 résultats pour « conseil ».');
    expect((first.text.match(/class="search-result"/g) ?? []).length).toBe(10);
    expect(first.text).toContain('rel="next"');
    const second = await search('conseil', 2);
    expect((second.text.match(/class="search-result"/g) ?? []).length).toBe(2);
    expect(second.text).toContain('start="11"');
    expect(second.text).toContain('rel="prev"');
  });

  it('leads a page past the last one to the last page of results, keeping the query', async () => {
    const past = await search('conseil', 99);
    expect(past.status).toBe(302);
    expect(past.headers.location).toBe('/recherche?q=conseil&page=2');
    const single = await search('ecole', 99);
    expect(single.status).toBe(302);
    expect(single.headers.location).toBe('/recherche?q=ecole');
    const followed = await request(ctx.app).get(single.headers.location as string);
    expect(followed.text).toContain('Rentrée à l’<mark>École</mark> Jules-Ferry');
    // Nothing found at all: there is no last page to go to, the page says so.
    const none = await search('zoulou', 5);
    expect(none.status).toBe(200);
    expect(plainSpaces(none.text)).toContain('Aucun résultat pour « zoulou ».');
  });

  it('cuts an overlong query between two words, not inside one', async () => {
    // 24 × "conseil " is 192 characters: the 200-character limit falls inside "numérotation".
    const q = `${'conseil '.repeat(24)}numérotation`;
    const res = await search(q);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('numérot');
    expect(plainSpaces(res.text)).toContain(`« ${'conseil '.repeat(23)}conseil ».`);
    expect(res.text).toContain('12 résultats pour');
    expect(parseQuery(q)).toEqual([{ text: 'conseil', prefix: true }]);
    // One word longer than the limit keeps its beginning.
    expect(parseQuery('z'.repeat(300))).toEqual([{ text: 'z'.repeat(40), prefix: true }]);
  });

  it('tells search engines not to index result pages', async () => {
    const res = await search('école');
    expect(res.text).toContain('<meta name="robots" content="noindex, follow">');
    expect(res.text).toContain('<link rel="canonical" href="http://crieur.test/recherche">');
  });
});

describe('reading a query', () => {
  it('keeps words, folds accents and case, drops operators and common little words', () => {
    expect(parseQuery('La FÊTE de l’école !')).toEqual([
      { text: 'fete', prefix: true },
      { text: 'ecole', prefix: true },
    ]);
    expect(parseQuery('"*" OR ;--')).toEqual([{ text: 'or', prefix: false }]);
    expect(parseQuery('***')).toEqual([]);
    expect(parseQuery('Vœux ŒUVRE Cæsar')).toEqual([
      { text: 'voeu', prefix: true }, // a plural looks for its singular too
      { text: 'oeuvre', prefix: true },
      { text: 'caesar', prefix: true },
    ]);
  });
});
