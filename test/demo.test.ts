import request from 'supertest';
import { createTestContext, type TestContext } from './helpers/context';
import { loadDemoIfEmpty } from '../server/demo/demo.service';
import { readDemoArticles } from '../server/demo/demo-content';
import { relative } from '../server/demo/demo-dates';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(new Date('2026-11-22T09:00:00.000Z'));
});
afterAll(async () => {
  await ctx.c.media.idle();
  await ctx.close();
});

describe('the demo commune', () => {
  it('loads illustrated news over several categories, some published in the past and some scheduled, once', async () => {
    expect(await loadDemoIfEmpty(ctx.c)).toBe(true);
    expect((await ctx.c.settings.get()).name).toBe('Villeneuve-sur-Lizonne');

    const { rows, total } = await ctx.c.articles.list({ limit: 100, offset: 0 });
    expect(total).toBeGreaterThanOrEqual(15);
    expect(new Set(rows.map((a) => a.categoryId)).size).toBeGreaterThanOrEqual(4);
    const now = ctx.clock.now();
    const published = rows.filter((a) => a.status === 'published');
    expect(published.filter((a) => a.publishAt! <= now).length).toBeGreaterThanOrEqual(5);
    expect(published.filter((a) => a.publishAt! > now).length).toBeGreaterThanOrEqual(3);
    expect(rows.some((a) => a.urgent)).toBe(true);
    expect(rows.every((a) => a.heroMediaId && a.heroAlt.length > 10)).toBe(true);
    // Each article has its own picture, described by its own alt text: a screen-reader user
    // never hears the description of another article's picture.
    expect(new Set(rows.map((a) => a.heroMediaId)).size).toBe(rows.length);
    for (const a of rows) expect([a.title, (await ctx.c.media.findById(a.heroMediaId!))!.alt]).toEqual([a.title, a.heroAlt]);

    // The past is history (already on the site), the future is scheduled.
    const pubs = await ctx.c.publications.forArticles(published.map((a) => a.id));
    const past = pubs.filter((p) => p.scheduledAt <= now && p.channel !== 'newsletter');
    expect(past.every((p) => p.status === 'sent')).toBe(true);
    // The latest news waits for the next digest, so that the newsletter has a letter to show.
    expect(pubs.filter((p) => p.channel === 'newsletter' && p.status === 'queued')).toHaveLength(4);
    expect(pubs.filter((p) => p.scheduledAt > now).every((p) => p.status === 'pending')).toBe(true);
    expect((await ctx.c.dispatcher.dispatchDue()).held).toBe(0);

    const media = await ctx.c.media.list({ limit: 50, offset: 0 });
    expect(media.total).toBeGreaterThanOrEqual(4);
    await Promise.all(media.rows.map((m) => ctx.c.media.whenReady(m.id)));
    const ready = await ctx.c.media.findById(media.rows[0]!.id);
    expect(ready!.status).toBe('ready');
    expect(ready!.variants.some((v) => v.kind === 'social' && v.width === 1200 && v.height === 630)).toBe(true);

    // A newcomer's first look at the site shows what an alert looks like.
    const home = await request(ctx.app).get('/');
    expect(/<section class="urgent"[\s\S]*?<\/section>/.exec(home.text)?.[0]).toContain('Vigilance orange vent violent');

    expect(await loadDemoIfEmpty(ctx.c)).toBe(false);
  }, 120_000);

  it('has the commune’s own pages in a tree, the top ones in the main menu with their sub-pages', async () => {
    const pages = await ctx.c.pages.all();
    const path = (title: string) => pages.find((p) => p.title === title)?.path;
    expect([path('La mairie'), path('Horaires et contacts'), path('Démarches'), path('État civil'), path('Écoles et périscolaire')]).toEqual([
      '/la-mairie',
      '/la-mairie/horaires-et-contacts',
      '/demarches',
      '/demarches/etat-civil',
      '/ecoles-et-periscolaire',
    ]);
    expect(pages.filter((p) => !p.legalKey).every((p) => p.status === 'published')).toBe(true);
    const main = (await ctx.c.menus.site()).main;
    expect(main.map((e) => e.label)).toEqual(['Actualités', 'Agenda', 'La mairie', 'Démarches', 'Écoles et périscolaire', 'Recherche']);
    expect(main.find((e) => e.label === 'La mairie')!.children!.map((c) => c.label)).toEqual(['Horaires et contacts', 'Le conseil municipal']);
    // The town hall's details come from the settings, as typed in Paramètres.
    const hours = await request(ctx.app).get('/la-mairie/horaires-et-contacts');
    expect(hours.status).toBe(200);
    expect(hours.text).toContain('05 53 00 00 00');
    expect(hours.text).toContain('<table>');
    expect(hours.text).toContain('<button type="button" class="sub-toggle" aria-expanded="false" aria-controls="sous-menu-2" hidden>');
  });
});

const WEEKDAY = /\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b/gi;
const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
const NAMED_DATE = new RegExp(`${WEEKDAY.source} (1er|\\d{1,2}) (${MONTHS.join('|')})`, 'gi');
const weekdayIn = (timeZone: string) => (d: Date) => new Intl.DateTimeFormat('fr-FR', { timeZone, weekday: 'long' }).format(d);

/** Moments at which a newcomer might start Crieur for the first time. */
const LOAD_DATES: [string, string][] = [
  ['a Sunday morning', '2026-11-22T09:00:00.000Z'],
  ['a Monday morning', '2026-11-23T08:00:00.000Z'],
  ['a Saturday just before midnight', '2026-11-28T22:45:00.000Z'],
  ['the evening before summer time starts', '2027-03-27T22:30:00.000Z'],
  ['the night summer time starts', '2027-03-28T00:30:00.000Z'],
  ['the night summer time ends', '2027-10-31T00:30:00.000Z'],
  ['a summer afternoon', '2027-07-14T13:00:00.000Z'],
];

describe('the demo’s texts and dates', () => {
  it('counts days on the calendar of the commune, whatever the change of time', () => {
    const tz = ctx.c.config.timeZone;
    expect(tz).toBe('Europe/Paris');
    // 23:30 on Saturday in Paris; clocks go forward at 2:00, so 24 hours later is already Monday.
    const saturdayNight = new Date('2027-03-27T22:30:00.000Z');
    expect(relative('+1d 10:00', saturdayNight, tz)).toEqual(new Date('2027-03-28T08:00:00.000Z'));
    expect(relative('+0d>sun 10:00', saturdayNight, tz)).toEqual(new Date('2027-03-28T08:00:00.000Z'));
    expect(relative('-1d<sat 10:00', saturdayNight, tz)).toEqual(new Date('2027-03-20T09:00:00.000Z'));
    expect(relative('+3d>thu 19:00', new Date('2026-11-22T09:00:00.000Z'), tz)).toEqual(new Date('2026-11-26T18:00:00.000Z'));
    expect(relative('event_start+1d 18:00', saturdayNight, tz, () => new Date('2027-03-27T09:00:00.000Z'))).toEqual(new Date('2027-03-28T16:00:00.000Z'));
    expect(relative('next saturday', saturdayNight, tz)).toBeNull();
  });

  it.each(LOAD_DATES)('agree when the demo is loaded on %s', (_when, iso) => {
    ctx.clock.set(new Date(iso));
    const now = ctx.clock.now();
    const tz = ctx.c.config.timeZone;
    const weekdayOf = weekdayIn(tz);
    const articles = readDemoArticles(now, tz);
    const wrong: string[] = [];

    let named = 0;
    for (const a of articles.filter((x) => x.eventStart)) {
      // The weekday a title or summary names is the day the event starts (or, over a weekend, ends).
      const days = [weekdayOf(a.eventStart!), weekdayOf(a.eventEnd ?? a.eventStart!)];
      for (const [word] of `${a.title} ${a.summary}`.matchAll(WEEKDAY)) {
        named++;
        if (!days.includes(word.toLowerCase())) wrong.push(`${a.file}: "${word}" but the event starts ${days[0]}`);
      }
      if (a.eventEnd && a.eventEnd < a.eventStart!) wrong.push(`${a.file}: the event ends before it starts`);
      if (a.publishAt && a.publishAt >= a.eventStart!) wrong.push(`${a.file}: announced after the event has begun`);
    }
    expect(named).toBeGreaterThanOrEqual(4);

    for (const a of articles) {
      const text = [a.title, a.summary, a.alt, a.body].join('\n');
      // "jeudi 26 novembre" anywhere is a real date, in the year closest to the day of loading.
      for (const [phrase, weekday, day, month] of text.matchAll(NAMED_DATE)) {
        const m = MONTHS.indexOf(month!.toLowerCase());
        const d = day === '1er' ? 1 : Number(day);
        const y = now.getUTCFullYear();
        const candidates = [y - 1, y, y + 1].map((year) => new Date(Date.UTC(year, m, d, 12)));
        const date = candidates.sort((p, q) => Math.abs(p.getTime() - now.getTime()) - Math.abs(q.getTime() - now.getTime()))[0]!;
        if (weekdayOf(date) !== weekday!.toLowerCase()) wrong.push(`${a.file}: "${phrase}" is a ${weekdayOf(date)}`);
      }
      // Words that only hold on the day they are written, and placeholders left unfilled.
      const stale = /\{|\}|ce soir|demain|aujourd['’]hui|\bhier\b|cette semaine|ce week-end|semaine prochaine/i.exec(text);
      if (stale) wrong.push(`${a.file}: "${stale[0]}"`);
    }
    expect(wrong).toEqual([]);
  });
});
