import type { Clock } from '../clock';
import type { CommuneSettings } from '../settings/settings.defaults';
import type { MediaItem } from '../media/media.types';
import { NotFoundError } from '../http/errors';
import { translator } from '../i18n/i18n';
import { withRef, type RefSource } from '../audience/audience.classify';
import { atom, absoluteLinks, jsonFeed, robots, rss, sitemap, type FeedChannel, type FeedItem, type SitemapEntry } from './feeds';
import { calendar, type CalendarEvent } from './ical';
import { articleUrl } from '../articles/article-url';
import { categoryPath } from './metadata';
import { ImageLookup } from './site-images';
import type { PublicArticle, PublicCategory, PublicArticlesRepository } from '../articles/public-articles.repository';

export type FeedFormat = 'rss' | 'atom' | 'json';

export const FEED_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

/** What each feed writes in the `ref=` of its links, for the audience page. */
const FEED_REFS: Record<FeedFormat, RefSource> = { rss: 'rss', atom: 'atom', json: 'jsonfeed' };

const FEED_SIZE = 30;
/** The agenda feed keeps events that ended in the last three months, then all upcoming ones. */
const CALENDAR_PAST_MS = 90 * 24 * 3600_000;
const CALENDAR_SIZE = 500;

/** Public pages that exist whatever the content (W1's routes); the sitemap lists them. */
export const STATIC_PATHS = ['/', '/actualites', '/agenda', '/donnees-ouvertes', '/plan-du-site'];

export interface FeedsDeps {
  site: PublicArticlesRepository;
  media: { findById(id: number): Promise<MediaItem | null> };
  settings: { get(): Promise<CommuneSettings> };
  config: { baseUrl: string; timeZone: string };
  clock: Clock;
  /** The commune's online pages (asked of the pages domain): the legal pages are among them. */
  pages?: () => Promise<{ path: string; updatedAt: Date }[]>;
}

/** Feeds, sitemap, robots.txt and the agenda's iCalendar feed: what machines read of the site. */
export class FeedsService {
  constructor(private readonly d: FeedsDeps) {}

  private get baseUrl(): string {
    return this.d.config.baseUrl;
  }

  /** The latest articles, of the whole site or of one category. */
  async feed(format: FeedFormat, categorySlug?: string): Promise<string> {
    const t = translator('fr');
    const category = categorySlug === undefined ? null : await this.category(categorySlug);
    const [commune, { rows }, lastChange] = await Promise.all([
      this.d.settings.get(),
      this.d.site.list({ categoryId: category?.id, limit: FEED_SIZE, offset: 0 }),
      this.d.site.lastChange(),
    ]);
    const images = new ImageLookup(this.d.media, this.baseUrl);
    const logo = await images.main(commune.logoMediaId);
    const path = category ? categoryPath(category.slug) : '';
    const file = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' }[format];
    const channel: FeedChannel = {
      title: category
        ? t('{commune} : {category}', { commune: commune.name, category: category.name })
        : t('{commune} : actualités', { commune: commune.name }),
      description: category
        ? t('Les dernières actualités de {commune} dans la catégorie {category}.', { commune: commune.name, category: category.name })
        : t('Les dernières actualités de {commune}.', { commune: commune.name }),
      homeUrl: withRef(`${this.baseUrl}${category ? path : '/actualites'}`, FEED_REFS[format]),
      selfUrl: `${this.baseUrl}${path}/${file}`,
      updated: lastChange ?? this.d.clock.now(),
      author: commune.name,
      iconUrl: logo?.url,
    };
    const items = await Promise.all(rows.map((a) => this.feedItem(a, images, FEED_REFS[format])));
    return format === 'rss' ? rss(channel, items) : format === 'atom' ? atom(channel, items) : jsonFeed(channel, items);
  }

  private async category(slug: string): Promise<PublicCategory> {
    const category = await this.d.site.categoryBySlug(slug);
    if (!category) throw new NotFoundError('Cette catégorie n’existe pas.');
    return category;
  }

  private async feedItem(a: PublicArticle, images: ImageLookup, ref: RefSource): Promise<FeedItem> {
    const canonicalUrl = articleUrl(this.baseUrl, a.slug);
    const image = await images.social(a.heroMediaId);
    return {
      canonicalUrl,
      url: articleUrl(this.baseUrl, a.slug, ref),
      title: a.title,
      summary: a.summary,
      contentHtml: absoluteLinks(a.bodyHtml, this.baseUrl),
      publishedAt: a.publishedAt,
      updatedAt: a.updatedAt,
      category: a.categoryName,
      image: image ?? undefined,
    };
  }

  async sitemap(): Promise<string> {
    const [articles, categories, lastChange, pages] = await Promise.all([
      this.d.site.sitemapArticles(),
      this.d.site.categories(),
      this.d.site.lastChange(),
      this.d.pages ? this.d.pages() : Promise.resolve([]),
    ]);
    const entries: SitemapEntry[] = [
      ...STATIC_PATHS.map((p) => ({ loc: `${this.baseUrl}${p}`, lastmod: p === '/' || p === '/actualites' ? lastChange : null })),
      ...pages.map((p) => ({ loc: `${this.baseUrl}${p.path}`, lastmod: p.updatedAt })),
      ...categories.filter((c) => c.count > 0).map((c) => ({ loc: `${this.baseUrl}${categoryPath(c.slug)}` })),
      ...articles.map((a) => ({ loc: articleUrl(this.baseUrl, a.slug), lastmod: a.lastmod })),
    ];
    return sitemap(entries);
  }

  robots(): string {
    return robots(this.baseUrl);
  }

  /** Upcoming events and those of the last three months, by start time. */
  async calendar(): Promise<string> {
    const t = translator('fr');
    const now = this.d.clock.now();
    const [commune, { rows }] = await Promise.all([
      this.d.settings.get(),
      this.d.site.list({ eventsFrom: new Date(now.getTime() - CALENDAR_PAST_MS), limit: CALENDAR_SIZE, offset: 0 }),
    ]);
    const host = new URL(this.baseUrl).hostname;
    const events: CalendarEvent[] = rows
      .filter((a): a is PublicArticle & { eventStart: Date } => !!a.eventStart)
      .map((a) => ({
        uid: `article-${a.id}@${host}`,
        title: a.title,
        description: a.summary,
        start: a.eventStart,
        end: a.eventEnd,
        place: a.eventPlace,
        url: articleUrl(this.baseUrl, a.slug, 'ical'),
        category: a.categoryName,
        updatedAt: a.updatedAt > a.publishedAt ? a.updatedAt : a.publishedAt,
      }));
    return calendar(
      {
        name: t('Agenda de {commune}', { commune: commune.name }),
        description: t('Les événements annoncés par {commune}.', { commune: commune.name }),
        timeZone: this.d.config.timeZone,
      },
      events,
      now,
    );
  }
}
