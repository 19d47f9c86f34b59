/**
 * The one place that builds an article's public address: the site, its feeds and metadata, and
 * every channel adapter (through its ports) use it. `ref` names where a visit came from (the
 * channel, the feed); the audience reads it back (server/audience/audience.classify.ts).
 */
export const articlePath = (slug: string): string => `/actualites/${encodeURIComponent(slug)}`;

export function articleUrl(baseUrl: string, slug: string, ref?: string): string {
  const url = `${baseUrl}${articlePath(slug)}`;
  return ref ? `${url}?ref=${encodeURIComponent(ref)}` : url;
}
