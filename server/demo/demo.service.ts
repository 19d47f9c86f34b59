import fs from 'node:fs';
import path from 'node:path';
import type { Container } from '../container';
import { DEFAULT_SETTINGS, type CommuneSettings } from '../settings/settings.defaults';
import { mergeSettings } from '../settings/settings.service';
import { demoImage } from './demo-images';
import { DEMO_DIR, readDemoArticles } from './demo-content';
import { loadDemoPages } from './demo-pages';
import { demoHistory, type DemoArticleFacts } from '../engagement/demo-history';

/** Set once the demo is loaded; it stays after the demo's removal, so the demo never comes back. */
export const DEMO_MARKER = 'demo_loaded_at';

/**
 * Loads the demo commune (content/demo) on the first start of an empty database: its settings,
 * two team members, illustrated news in several categories, some published in the past, some
 * scheduled, an urgent alert and a draft; the commune's own pages (content/demo/pages), in the
 * main menu. Every picture goes through the real image pipeline.
 * Runs once: a marker in the settings keeps it from coming back after the articles are deleted.
 */
export async function loadDemoIfEmpty(c: Container): Promise<boolean> {
  if (await c.settings.marker(DEMO_MARKER)) return false;
  if ((await c.articles.count()) > 0) return false;
  const log = c.log.child({ module: 'demo' });
  const now = c.clock.now();

  const commune = JSON.parse(fs.readFileSync(path.join(DEMO_DIR, 'commune.json'), 'utf8')) as Partial<CommuneSettings>;
  await c.settings.initialize(mergeSettings(DEFAULT_SETTINGS, commune));

  // Team members without a password yet: an administrator can send them their invitation.
  const editorId = await c.usersRepo.insert(
    { email: 'camille.roux@villeneuve-sur-lizonne.example', displayName: 'Camille Roux', role: 'editor', passwordHash: null },
    now,
  );
  await c.usersRepo.insert({ email: 'claire.martin@villeneuve-sur-lizonne.example', displayName: 'Claire Martin', role: 'elected', passwordHash: null }, now);
  const actor = { id: editorId, label: 'Camille Roux' };

  const categories = new Map((await c.articles.listCategories()).map((k) => [k.slug, k.id]));
  const images = new Map<string, number>();
  const articles = readDemoArticles(now, c.config.timeZone);
  const recent: { id: number; at: Date }[] = [];
  const made: number[] = [];
  const published: DemoArticleFacts[] = [];
  for (const [i, a] of articles.entries()) {
    let mediaId = images.get(a.image);
    if (mediaId === undefined) {
      const item = await c.media.ingest(await demoImage(a.image, i), `${a.image}.jpg`, { alt: a.alt, credit: 'Illustration de démonstration' }, actor);
      mediaId = item.id;
      images.set(a.image, mediaId);
    }
    const article = await c.articles.create(
      {
        title: a.title,
        summary: a.summary,
        bodyMd: a.body,
        categoryId: categories.get(a.category) ?? null,
        heroMediaId: mediaId,
        heroAlt: a.alt,
        eventStart: a.eventStart,
        eventEnd: a.eventEnd,
        eventPlace: a.eventPlace,
        urgent: a.urgent,
        publishAt: a.publishAt,
      },
      actor,
    );
    made.push(article.id);
    if (a.status === 'published') {
      await c.articles.transition(article.id, 'published', actor);
      // History, not news: what the demo says went out in the past is recorded as sent then.
      if (a.publishAt && a.publishAt <= now) await c.publishing.lifecycle.recordPastDelivery({ ...article, bodyHtml: article.bodyHtml }, a.publishAt);
      if (a.publishAt && a.publishAt <= now && !a.urgent) recent.push({ id: article.id, at: a.publishAt });
      if (a.publishAt && a.publishAt <= now) {
        const site = (await c.publications.forArticle(article.id)).find((p) => p.channel === 'site' && p.status === 'sent');
        published.push({ id: article.id, publishedAt: a.publishAt, urgent: a.urgent, sitePublicationId: site?.id ?? null });
      }
    }
  }
  const pages = await loadDemoPages(c, actor);
  // The list the demo's removal (demo-removal.ts) works from: the commune's own rows are never on it.
  const items = c.demoItems;
  await items.record('article', made);
  await items.record('page', pages);
  await items.record('image', [...images.values()]);
  // The week's news waits for the next digest, as if officers had ticked the newsletter: the
  // preview (npm run crieur -- newsletter:preview) and the admin have a letter to show.
  const newsletter = (await c.accounts.list()).find((acc) => acc.channel === 'newsletter');
  if (newsletter) {
    for (const r of recent.sort((x, y) => y.at.getTime() - x.at.getTime()).slice(0, 4)) {
      await c.publications.insert(
        { articleId: r.id, accountId: newsletter.id, channel: 'newsletter', textVariant: null, scheduledAt: r.at, status: 'queued' },
        now,
      );
    }
  }
  // 90 days of figures marked demo, so that the mayor's dashboard is alive from the first visit;
  // totalled like real days (the demo's removal takes them away with the rest, demo-removal.ts).
  const history = await c.engagement.ingest(demoHistory(now, c.config.timeZone, published));
  await c.engagementRollup.rollUp();
  await c.settings.setMarker(DEMO_MARKER, now);
  log.info({ articles: articles.length, pages: pages.length, images: images.size, history }, 'demo commune loaded');
  return true;
}
