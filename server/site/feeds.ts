/**
 * RSS 2.0, Atom 1.0 and JSON Feed 1.1 documents, built from plain values (no database here).
 * Every text goes through xml() or cdata(): a title with "&", "<", quotes or an emoji still makes
 * a well-formed document.
 */
import { frenchSpacing, frenchSpacingHtml } from '../i18n/typography';

export interface FeedChannel {
  title: string;
  description: string;
  homeUrl: string; // the page the feed mirrors, with the feed's own ?ref=
  selfUrl: string;
  updated: Date;
  author: string; // the commune
  iconUrl?: string;
}

export interface FeedItem {
  canonicalUrl: string; // the article's permanent address: guid and id
  url: string; // the link readers follow, with the feed's own ?ref=
  title: string;
  summary: string;
  contentHtml: string; // absolute URLs only: feed readers have no base
  publishedAt: Date;
  updatedAt: Date;
  category: string | null;
  image?: { url: string; width: number; height: number; bytes: number; type: string };
}

// Characters XML 1.0 does not allow at all, even escaped.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function xml(value: unknown): string {
  return String(value ?? '')
    .replace(INVALID_XML, '')
    .replace(/[&<>"']/g, (c) => XML_ESCAPES[c] as string);
}

function cdata(value: string): string {
  return `<![CDATA[${value.replace(INVALID_XML, '').replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

/** RFC 822 date, as RSS 2.0 wants it ("Sun, 15 Mar 2026 09:00:00 GMT"). */
export function rfc822(d: Date): string {
  return d.toUTCString();
}

/** Relative links of sanitized article HTML made absolute against the site's address. */
export function absoluteLinks(html: string, baseUrl: string): string {
  return html.replace(/\b(href|src|srcset)="\/(?!\/)/g, `$1="${baseUrl}/`);
}

/** French spacing on what readers read (titles, summaries, text), never on addresses. */
function typeset(channel: FeedChannel, items: FeedItem[]): [FeedChannel, FeedItem[]] {
  return [
    { ...channel, title: frenchSpacing(channel.title), description: frenchSpacing(channel.description) },
    items.map((i) => ({
      ...i,
      title: frenchSpacing(i.title),
      summary: frenchSpacing(i.summary),
      contentHtml: frenchSpacingHtml(i.contentHtml),
      category: i.category === null ? null : frenchSpacing(i.category),
    })),
  ];
}

export function rss(feedChannel: FeedChannel, feedItems: FeedItem[]): string {
  const [channel, items] = typeset(feedChannel, feedItems);
  const entries = items.map((i) =>
    [
      '<item>',
      `<title>${xml(i.title)}</title>`,
      `<link>${xml(i.url)}</link>`,
      `<guid isPermaLink="true">${xml(i.canonicalUrl)}</guid>`,
      `<pubDate>${rfc822(i.publishedAt)}</pubDate>`,
      `<description>${xml(i.summary)}</description>`,
      i.category ? `<category>${xml(i.category)}</category>` : '',
      i.image ? `<enclosure url="${xml(i.image.url)}" length="${i.image.bytes}" type="${xml(i.image.type)}"/>` : '',
      `<content:encoded>${cdata(i.contentHtml)}</content:encoded>`,
      '</item>',
    ].join(''),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
    '<channel>',
    `<title>${xml(channel.title)}</title>`,
    `<link>${xml(channel.homeUrl)}</link>`,
    `<description>${xml(channel.description)}</description>`,
    '<language>fr-FR</language>',
    `<lastBuildDate>${rfc822(channel.updated)}</lastBuildDate>`,
    `<atom:link href="${xml(channel.selfUrl)}" rel="self" type="application/rss+xml"/>`,
    '<generator>Crieur</generator>',
    channel.iconUrl ? `<image><url>${xml(channel.iconUrl)}</url><title>${xml(channel.title)}</title><link>${xml(channel.homeUrl)}</link></image>` : '',
    ...entries,
    '</channel>',
    '</rss>',
    '',
  ].join('\n');
}

export function atom(feedChannel: FeedChannel, feedItems: FeedItem[]): string {
  const [channel, items] = typeset(feedChannel, feedItems);
  const entries = items.map((i) =>
    [
      '<entry>',
      `<id>${xml(i.canonicalUrl)}</id>`,
      `<title type="text">${xml(i.title)}</title>`,
      `<link rel="alternate" type="text/html" href="${xml(i.url)}"/>`,
      `<published>${i.publishedAt.toISOString()}</published>`,
      `<updated>${(i.updatedAt > i.publishedAt ? i.updatedAt : i.publishedAt).toISOString()}</updated>`,
      `<summary type="text">${xml(i.summary)}</summary>`,
      `<content type="html">${xml(i.contentHtml)}</content>`,
      i.category ? `<category term="${xml(i.category)}"/>` : '',
      i.image ? `<link rel="enclosure" type="${xml(i.image.type)}" length="${i.image.bytes}" href="${xml(i.image.url)}"/>` : '',
      '</entry>',
    ].join(''),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">',
    `<id>${xml(channel.selfUrl)}</id>`,
    `<title type="text">${xml(channel.title)}</title>`,
    `<subtitle type="text">${xml(channel.description)}</subtitle>`,
    `<updated>${channel.updated.toISOString()}</updated>`,
    `<link rel="self" type="application/atom+xml" href="${xml(channel.selfUrl)}"/>`,
    `<link rel="alternate" type="text/html" href="${xml(channel.homeUrl)}"/>`,
    `<author><name>${xml(channel.author)}</name></author>`,
    '<generator>Crieur</generator>',
    channel.iconUrl ? `<icon>${xml(channel.iconUrl)}</icon>` : '',
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}

export function jsonFeed(feedChannel: FeedChannel, feedItems: FeedItem[]): string {
  const [channel, items] = typeset(feedChannel, feedItems);
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: channel.title,
    description: channel.description,
    home_page_url: channel.homeUrl,
    feed_url: channel.selfUrl,
    language: 'fr-FR',
    ...(channel.iconUrl ? { icon: channel.iconUrl } : {}),
    authors: [{ name: channel.author }],
    items: items.map((i) => ({
      id: i.canonicalUrl,
      url: i.url,
      title: i.title,
      summary: i.summary,
      content_html: i.contentHtml,
      ...(i.image ? { image: i.image.url } : {}),
      date_published: i.publishedAt.toISOString(),
      date_modified: (i.updatedAt > i.publishedAt ? i.updatedAt : i.publishedAt).toISOString(),
      ...(i.category ? { tags: [i.category] } : {}),
    })),
  });
}

export interface SitemapEntry {
  loc: string;
  lastmod?: Date | null;
}

export function sitemap(entries: SitemapEntry[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ...entries.map((e) => `<url><loc>${xml(e.loc)}</loc>${e.lastmod ? `<lastmod>${e.lastmod.toISOString()}</lastmod>` : ''}</url>`),
    '</urlset>',
    '',
  ].join('\n');
}

export function robots(baseUrl: string): string {
  return ['User-agent: *', 'Allow: /', 'Disallow: /admin', '', `Sitemap: ${baseUrl}/sitemap.xml`, ''].join('\n');
}
