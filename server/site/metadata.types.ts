/**
 * What a public page says about itself to browsers, search engines and social networks.
 * Built by server/site/metadata.ts, rendered by views/site/partials/meta.ejs in the <head>.
 */
export interface PageMeta {
  title: string; // <title>, without the commune's name (the layout adds it)
  description: string;
  canonical: string; // absolute URL
  type: 'website' | 'article';
  image?: { url: string; width: number; height: number; alt: string }; // the 1200×630 social card
  publishedAt?: Date;
  modifiedAt?: Date;
  /** schema.org objects (NewsArticle, Event, WebSite…), each rendered as application/ld+json. */
  jsonLd: Record<string, unknown>[];
  /** Feeds to advertise with <link rel="alternate">. */
  feeds?: { title: string; href: string; type: string }[];
  noindex?: boolean;
}
