import type { Clock } from '../clock';
import { NotFoundError } from '../http/errors';
import { pager, type Page, type Pager } from '../http/pagination';
import type { MediaService } from '../media/media.service';
import { pictureOf, type Picture } from '../media/media.picture';
import type { SettingsService } from '../settings/settings.service';
import { calendar } from './ical';
import { monthKey } from './site.format';
import { themePath } from './theme.routes';
import type { PublicArticle, PublicCategory, PublicArticlesRepository } from '../articles/public-articles.repository';
import type { PageNode } from '../pages/pages.types';
import { articleUrl } from '../articles/article-url';

/** An article with its hero image, ready for a card or a page. */
export interface Card extends PublicArticle {
  picture: Picture | null;
  credit: string; // the image's credit, shown under the hero image
}

/**
 * Every page says whether it may be cached: not while one of its images is still being encoded,
 * or the page would keep showing the small preview until the next change.
 */
interface Cacheable {
  cacheable: boolean;
}

export interface SiteChrome {
  logo: { src: string; width: number; height: number } | null;
  /** The commune's colours, at an address that changes with them (theme.routes.ts). */
  theme: string;
}

export interface HomePage extends Cacheable {
  urgent: Card[];
  latest: Card[];
  events: PublicArticle[];
  categories: PublicCategory[];
}

export interface NewsPage extends Cacheable {
  category: PublicCategory | null;
  rows: Card[];
  pager: Pager;
  categories: PublicCategory[];
}

export interface ArticlePage extends Cacheable {
  article: Card;
  related: Card[];
  url: string;
}

export interface AgendaPage extends Cacheable {
  months: { key: string; first: Date; events: PublicArticle[] }[];
}

export const URGENT_HOURS = 72;
const HOME_LATEST = 6;
const HOME_EVENTS = 4;
export const NEWS_PER_PAGE = 12;
const RELATED = 3;
const AGENDA_MAX = 200;

export interface SiteDeps {
  repo: PublicArticlesRepository;
  media: MediaService;
  settings: SettingsService;
  clock: Clock;
  baseUrl: string;
  timeZone: string;
  /** Keeps what many pages share for as long as the pages themselves are kept (the page cache). */
  memo?: { remember<T>(key: string, load: () => Promise<T>): Promise<T> };
  /** The commune's online pages, as a tree (asked of the pages domain), for the plan du site. */
  pages?: () => Promise<PageNode[]>;
}

type Facts = Awaited<ReturnType<PublicArticlesRepository['categoriesAndTotal']>>;

/** What the public pages show, read through the visibility rule of PublicArticlesRepository. */
export class SiteService {
  private chromeCache: Promise<SiteChrome> | null = null;

  constructor(private readonly d: SiteDeps) {
    d.settings.events.on('changed', () => {
      this.chromeCache = null;
    });
  }

  /** The header's logo: read once, again after each settings change. */
  chrome(): Promise<SiteChrome> {
    this.chromeCache ??= this.loadChrome().catch((err) => {
      this.chromeCache = null;
      throw err;
    });
    return this.chromeCache;
  }

  async home(): Promise<HomePage> {
    const now = this.d.clock.now();
    const [urgent, latest, events, { categories }] = await Promise.all([
      this.d.repo.rows({ urgentSince: new Date(now.getTime() - URGENT_HOURS * 3600_000), limit: 3, offset: 0 }),
      this.d.repo.rows({ limit: HOME_LATEST, offset: 0 }),
      this.d.repo.rows({ eventsFrom: now, limit: HOME_EVENTS, offset: 0 }),
      this.facts(),
    ]);
    const [urgentCards, latestCards] = await Promise.all([this.cards(urgent), this.cards(latest)]);
    return {
      urgent: urgentCards.cards,
      latest: latestCards.cards,
      events,
      categories: categories.filter((c) => c.count > 0),
      cacheable: latestCards.ready,
    };
  }

  /** The news list, all categories or one; a page past the last one does not exist. */
  async news(page: Page, categorySlug?: string): Promise<NewsPage> {
    const { categories, total: all } = await this.facts();
    let category: PublicCategory | null = null;
    if (categorySlug !== undefined) {
      category = categories.find((c) => c.slug === categorySlug) ?? null;
      if (!category) throw new NotFoundError('Cette catégorie n’existe pas.');
    }
    // The total comes with the categories' counts, kept between changes: no count on every page.
    const p = pager(page, category ? category.count : all);
    if (page.page > p.pages) throw new NotFoundError('Cette page de la liste n’existe pas.');
    const rows = await this.d.repo.rows({ categoryId: category?.id, limit: page.limit, offset: page.offset });
    const { cards, ready } = await this.cards(rows);
    return { category, rows: cards, pager: p, categories: categories.filter((c) => c.count > 0), cacheable: ready };
  }

  async article(slug: string): Promise<ArticlePage> {
    const found = await this.d.repo.bySlug(slug);
    if (!found) throw new NotFoundError('Cet article n’existe pas ou n’est plus en ligne.');
    const relatedRows = await this.d.repo.related(found, RELATED);
    const [main, related] = await Promise.all([this.cards([found]), this.cards(relatedRows)]);
    return { article: main.cards[0] as Card, related: related.cards, url: this.articleUrl(found.slug), cacheable: main.ready && related.ready };
  }

  /**
   * An article not (or not yet in this form) online, as its page will show it: for a private
   * preview link (server/articles/articles.preview.routes.ts). Never cached.
   */
  async previewPage(a: PublicArticle): Promise<ArticlePage> {
    const relatedRows = await this.d.repo.related(a, RELATED);
    const [main, related] = await Promise.all([this.cards([a]), this.cards(relatedRows)]);
    return { article: main.cards[0] as Card, related: related.cards, url: this.articleUrl(a.slug), cacheable: false };
  }

  /** "Add to my calendar": the article's event as an iCalendar file. */
  async eventCalendar(slug: string): Promise<{ filename: string; ics: string }> {
    const a = await this.d.repo.bySlug(slug);
    if (!a?.eventStart) throw new NotFoundError('Cet article n’annonce pas d’événement.');
    const host = new URL(this.d.baseUrl).hostname;
    const { name } = await this.d.settings.get();
    // The agenda feed (feeds.service.ts) uses the same UID: a calendar holding both shows one event.
    const event = {
      uid: `article-${a.id}@${host}`,
      title: a.title,
      description: a.summary,
      start: a.eventStart,
      end: a.eventEnd,
      place: a.eventPlace,
      // A visit from the resident's calendar names its source, like the agenda feed's links.
      url: articleUrl(this.d.baseUrl, a.slug, 'ical'),
      category: a.categoryName,
      updatedAt: a.updatedAt,
    };
    const ics = calendar({ name, timeZone: this.d.timeZone }, [event], this.d.clock.now());
    return { filename: `${a.slug}.ics`, ics };
  }

  /** Events from now on, month by month (in the commune's time zone). */
  async agenda(): Promise<AgendaPage> {
    const rows = await this.d.repo.rows({ eventsFrom: this.d.clock.now(), limit: AGENDA_MAX, offset: 0 });
    const months: AgendaPage['months'] = [];
    for (const card of rows) {
      const key = monthKey(card.eventStart as Date, this.d.timeZone);
      const last = months[months.length - 1];
      if (last?.key === key) last.events.push(card);
      else months.push({ key, first: card.eventStart as Date, events: [card] });
    }
    return { months, cacheable: true };
  }

  /** The plan du site: the sections, every category with news, the commune's pages as a tree. */
  async siteMap(): Promise<{ categories: PublicCategory[]; pages: PageNode[] }> {
    const [{ categories }, pages] = await Promise.all([this.facts(), this.d.pages ? this.d.pages() : Promise.resolve([])]);
    return { categories: categories.filter((c) => c.count > 0), pages };
  }

  articleUrl(slug: string): string {
    return articleUrl(this.d.baseUrl, slug);
  }

  /** The categories and how many articles each has: on most pages, and changed only by a change. */
  private facts(): Promise<Facts> {
    const load = () => this.d.repo.categoriesAndTotal();
    return this.d.memo ? this.d.memo.remember('categories', load) : load();
  }

  private async cards(rows: PublicArticle[]): Promise<{ cards: Card[]; ready: boolean }> {
    let ready = true;
    const cards = await Promise.all(
      rows.map(async (a) => {
        const item = a.heroMediaId === null ? null : await this.d.media.findById(a.heroMediaId);
        if (item?.status === 'processing') ready = false;
        return { ...a, picture: item ? pictureOf(item) : null, credit: item?.credit ?? '' };
      }),
    );
    return { cards, ready };
  }

  private async loadChrome(): Promise<SiteChrome> {
    const settings = await this.d.settings.get();
    const item = settings.logoMediaId === null ? null : await this.d.media.findById(settings.logoMediaId);
    const preview = item?.variants.find((v) => v.kind === 'preview');
    return { logo: preview ? { src: preview.url, width: preview.width, height: preview.height } : null, theme: themePath(settings) };
  }
}

/** A share link: a plain link to the network's own sharing page, no script of theirs on ours. */
export interface ShareLink {
  network: string; // shown as "Partager sur {network}"; 'email' for the e-mail link
  href: string;
}

export function shareLinks(title: string, url: string): ShareLink[] {
  const u = encodeURIComponent(url);
  const text = encodeURIComponent(title);
  return [
    { network: 'Facebook', href: `https://www.facebook.com/sharer/sharer.php?u=${u}` },
    { network: 'Mastodon', href: `https://mastodonshare.com/?text=${text}&url=${u}` },
    { network: 'Bluesky', href: `https://bsky.app/intent/compose?text=${encodeURIComponent(`${title} ${url}`)}` },
    { network: 'X', href: `https://x.com/intent/post?text=${text}&url=${u}` },
    { network: 'LinkedIn', href: `https://www.linkedin.com/sharing/share-offsite/?url=${u}` },
    { network: 'email', href: `mailto:?subject=${text}&body=${u}` },
  ];
}
