import type { CommuneSettings } from '../settings/settings.defaults';
import type { MediaItem } from '../media/media.types';
import { pictureOf } from '../media/media.picture';
import { translator, type Translate } from '../i18n/i18n';
import type { PublicArticle } from '../articles/public-articles.repository';
import type { PageMeta } from './metadata.types';
import { articlePath } from '../articles/article-url';

/**
 * What each public page says about itself: canonical URL, Open Graph and Twitter cards, schema.org
 * JSON-LD, feeds. views/site/partials/meta.ejs turns a PageMeta into tags.
 */

/** What the builders read; the container satisfies it. */
export interface MetaDeps {
  config: { baseUrl: string };
  settings: { get(): Promise<CommuneSettings> };
  media: { findById(id: number): Promise<MediaItem | null> };
}

// One builder for article addresses, shared with the channel adapters.
export { articlePath };
export const categoryPath = (slug: string): string => `/actualites/categorie/${encodeURIComponent(slug)}`;

/** The address a page is known by: no query string, except the page number past the first. */
export function canonicalUrl(baseUrl: string, path: string, page = 1): string {
  return `${baseUrl}${path}${page > 1 ? `?page=${page}` : ''}`;
}

export function absolute(baseUrl: string, url: string): string {
  return /^https?:\/\//.test(url) ? url : `${baseUrl}${url.startsWith('/') ? '' : '/'}${url}`;
}

/** The feeds a page advertises: the whole site's, or a category's (RSS and Atom). */
export function feedLinks(baseUrl: string, category?: { slug: string; name: string }, t: Translate = translator('fr')): NonNullable<PageMeta['feeds']> {
  if (category) {
    const base = `${baseUrl}${categoryPath(category.slug)}`;
    return [
      { title: t('{category} : flux RSS', { category: category.name }), href: `${base}/rss.xml`, type: 'application/rss+xml' },
      { title: t('{category} : flux Atom', { category: category.name }), href: `${base}/atom.xml`, type: 'application/atom+xml' },
    ];
  }
  return [
    { title: t('Actualités : flux RSS'), href: `${baseUrl}/rss.xml`, type: 'application/rss+xml' },
    { title: t('Actualités : flux Atom'), href: `${baseUrl}/atom.xml`, type: 'application/atom+xml' },
    { title: t('Actualités : JSON Feed'), href: `${baseUrl}/feed.json`, type: 'application/feed+json' },
  ];
}

/** The agenda as an iCalendar feed (/agenda.ics), which calendar apps subscribe to. */
export function calendarFeed(baseUrl: string, t: Translate = translator('fr')): NonNullable<PageMeta['feeds']>[number] {
  return { title: t('Agenda : abonnement iCalendar'), href: `${baseUrl}/agenda.ics`, type: 'text/calendar' };
}

/** A description fit for search results and cards: about 160 characters, cut between words. */
export function shortDescription(text: string, max = 160): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max - 1);
  return `${cut.slice(0, cut.lastIndexOf(' ') > max / 2 ? cut.lastIndexOf(' ') : cut.length)}…`;
}

export interface PageMetaInput {
  title: string;
  description: string;
  path: string;
  page?: number;
  type?: PageMeta['type'];
  image?: PageMeta['image'];
  jsonLd?: Record<string, unknown>[];
  /** Default: the whole site's feeds. */
  feeds?: PageMeta['feeds'];
  noindex?: boolean;
}

/** Any page that is not an article: lists, agenda, search, static pages. */
export function pageMeta(input: PageMetaInput, deps: Pick<MetaDeps, 'config'>): PageMeta {
  const { baseUrl } = deps.config;
  return {
    title: input.title,
    description: shortDescription(input.description),
    canonical: canonicalUrl(baseUrl, input.path, input.page),
    type: input.type ?? 'website',
    image: input.image,
    jsonLd: input.jsonLd ?? [],
    feeds: input.feeds ?? feedLinks(baseUrl),
    noindex: input.noindex,
  };
}

/** The 1200×630 social card of a media item, with absolute URL, or undefined. */
export async function socialImage(mediaId: number | null, alt: string, deps: MetaDeps): Promise<PageMeta['image']> {
  if (!mediaId) return undefined;
  const item = await deps.media.findById(mediaId);
  const social = item ? pictureOf(item)?.social : null;
  return social ? { url: absolute(deps.config.baseUrl, social.url), width: social.width, height: social.height, alt: alt || item?.alt || '' } : undefined;
}

/** The commune as a schema.org Organization, with its logo when one is set. */
export async function communeOrganization(deps: MetaDeps): Promise<Record<string, unknown>> {
  const commune = await deps.settings.get();
  const logo = commune.logoMediaId ? await deps.media.findById(commune.logoMediaId) : null;
  const picture = logo ? pictureOf(logo) : null;
  return {
    '@type': 'Organization',
    name: commune.name,
    url: `${deps.config.baseUrl}/`,
    ...(picture ? { logo: { '@type': 'ImageObject', url: absolute(deps.config.baseUrl, picture.src), width: picture.width, height: picture.height } } : {}),
    ...(commune.email ? { email: commune.email } : {}),
    ...(commune.phone ? { telephone: commune.phone } : {}),
  };
}

function postalAddress(commune: CommuneSettings): Record<string, unknown> {
  return { '@type': 'PostalAddress', addressLocality: commune.city, postalCode: commune.postalCode, addressCountry: 'FR' };
}

/** schema.org Event for an article that announces one. */
export function eventJsonLd(
  article: PublicArticle,
  url: string,
  organizer: Record<string, unknown>,
  commune: CommuneSettings,
  image?: string,
): Record<string, unknown> | null {
  if (!article.eventStart) return null;
  return {
    '@context': 'https://schema.org',
    '@type': 'Event',
    name: article.title,
    description: article.summary || undefined,
    startDate: article.eventStart.toISOString(),
    ...(article.eventEnd ? { endDate: article.eventEnd.toISOString() } : {}),
    eventStatus: 'https://schema.org/EventScheduled',
    eventAttendanceMode: 'https://schema.org/OfflineEventAttendanceMode',
    location: { '@type': 'Place', name: article.eventPlace || commune.city || commune.name, address: postalAddress(commune) },
    organizer,
    url,
    ...(image ? { image: [image] } : {}),
  };
}

/** An article page: NewsArticle, and Event when it announces one. */
export async function articleMeta(article: PublicArticle, deps: MetaDeps): Promise<PageMeta> {
  const { baseUrl } = deps.config;
  const [commune, organization, image] = await Promise.all([
    deps.settings.get(),
    communeOrganization(deps),
    socialImage(article.heroMediaId, article.heroAlt, deps),
  ]);
  const canonical = canonicalUrl(baseUrl, articlePath(article.slug));
  const news: Record<string, unknown> = {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    headline: article.title.slice(0, 110),
    description: article.summary || undefined,
    datePublished: article.publishedAt.toISOString(),
    dateModified: (article.updatedAt > article.publishedAt ? article.updatedAt : article.publishedAt).toISOString(),
    ...(image ? { image: [image.url] } : {}),
    ...(article.categoryName ? { articleSection: article.categoryName } : {}),
    inLanguage: 'fr-FR',
    author: organization,
    publisher: organization,
    mainEntityOfPage: { '@type': 'WebPage', '@id': canonical },
  };
  const event = eventJsonLd(article, canonical, organization, commune, image?.url);
  const category = article.categorySlug && article.categoryName ? { slug: article.categorySlug, name: article.categoryName } : undefined;
  return {
    title: article.title,
    description: shortDescription(article.summary || article.title),
    canonical,
    type: 'article',
    image,
    publishedAt: article.publishedAt,
    modifiedAt: article.updatedAt,
    jsonLd: event ? [news, event] : [news],
    feeds: [...feedLinks(baseUrl), ...(category ? feedLinks(baseUrl, category) : [])],
  };
}

/** The home page: WebSite (with the search box search engines may offer) and the commune. */
export async function homeMeta(deps: MetaDeps, input: { description?: string } = {}): Promise<PageMeta> {
  const { baseUrl } = deps.config;
  const [commune, organization] = await Promise.all([deps.settings.get(), communeOrganization(deps)]);
  // A shared link to the home page shows the commune's logo, on its 1200×630 social card.
  const logo = await socialImage(commune.logoMediaId, '', deps);
  const t = translator('fr');
  const description = input.description ?? t('Les actualités, les événements et les alertes de {commune}.', { commune: commune.name });
  return pageMeta(
    {
      title: t('Accueil'),
      description,
      path: '/',
      image: logo ? { ...logo, alt: logo.alt || commune.name } : undefined,
      jsonLd: [
        {
          '@context': 'https://schema.org',
          '@type': 'WebSite',
          name: commune.name,
          url: `${baseUrl}/`,
          inLanguage: 'fr-FR',
          publisher: organization,
          potentialAction: {
            '@type': 'SearchAction',
            target: `${baseUrl}/recherche?q={search_term_string}`,
            'query-input': 'required name=search_term_string',
          },
        },
        { '@context': 'https://schema.org', ...organization },
      ],
    },
    deps,
  );
}
