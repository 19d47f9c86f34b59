import type { ArticleTotal, DayTotal, KindTotal } from '../engagement/engagement.queries';

export const INTERACTION_KINDS = ['click', 'reaction', 'share', 'reply', 'quote'] as const;
/** What an article's reach and interactions are made of (the article table asks only for these). */
export const ARTICLE_KINDS = ['view', 'article_delivery', 'impression', ...INTERACTION_KINDS] as const;

export interface Figure {
  value: number;
  previous: number;
}

export function sumOf(rows: KindTotal[], test: (r: KindTotal) => boolean): number {
  let n = 0;
  for (const r of rows) if (test(r)) n += r.total;
  return n;
}

/** Whether a channel is a registered network (StatsChannels.isNetwork): the sums name none. */
export type IsNetwork = (channel: string) => boolean;

const isInteraction = (kind: string) => (INTERACTION_KINDS as readonly string[]).includes(kind);

/**
 * People reached: site visitors, newsletter deliveries (campaign level) and social impressions
 * (where the network gives them). A person reached on two channels counts twice: the channels do
 * not share any identifier, and must not (RULES-FR).
 */
export function reachedParts(rows: KindTotal[], isNetwork: IsNetwork): { site: number; newsletter: number; social: number } {
  return {
    site: sumOf(rows, (r) => r.channel === 'site' && r.kind === 'visitor'),
    newsletter: sumOf(rows, (r) => r.channel === 'newsletter' && r.kind === 'delivery'),
    social: sumOf(rows, (r) => isNetwork(r.channel) && r.kind === 'impression'),
  };
}

export function interactionsOf(rows: KindTotal[]): number {
  return sumOf(rows, (r) => isInteraction(r.kind));
}

export interface Totals {
  reached: number;
  reachedSite: number;
  reachedNewsletter: number;
  reachedSocial: number;
  interactions: number;
  siteViews: number;
  opens: number;
  subscribes: number;
  unsubscribes: number;
  growth: number;
}

export function totalsOf(rows: KindTotal[], isNetwork: IsNetwork): Totals {
  const p = reachedParts(rows, isNetwork);
  const subscribes = sumOf(rows, (r) => r.channel === 'newsletter' && r.kind === 'subscribe');
  const unsubscribes = sumOf(rows, (r) => r.channel === 'newsletter' && r.kind === 'unsubscribe');
  return {
    reached: p.site + p.newsletter + p.social,
    reachedSite: p.site,
    reachedNewsletter: p.newsletter,
    reachedSocial: p.social,
    interactions: interactionsOf(rows),
    siteViews: sumOf(rows, (r) => r.channel === 'site' && r.kind === 'view'),
    opens: sumOf(rows, (r) => r.channel === 'newsletter' && r.kind === 'open'),
    subscribes,
    unsubscribes,
    growth: subscribes - unsubscribes,
  };
}

/** One line of the article table: reach per channel (null: the network gives no impressions). */
export interface ArticleReach {
  articleId: number;
  site: number;
  newsletter: number;
  social: Record<string, number | null>;
  interactions: number;
  reach: number;
}

export function articleReach(rows: ArticleTotal[], isNetwork: IsNetwork): ArticleReach[] {
  const by = new Map<number, ArticleReach & { seen: Set<string> }>();
  for (const r of rows) {
    let a = by.get(r.articleId);
    if (!a) by.set(r.articleId, (a = { articleId: r.articleId, site: 0, newsletter: 0, social: {}, interactions: 0, reach: 0, seen: new Set() }));
    if (r.channel === 'site' && r.kind === 'view') a.site += r.total;
    else if (r.channel === 'newsletter' && r.kind === 'article_delivery') a.newsletter += r.total;
    else if (isNetwork(r.channel) && r.kind === 'impression') a.social[r.channel] = (a.social[r.channel] ?? 0) + r.total;
    if (isNetwork(r.channel)) a.seen.add(r.channel);
    if (isInteraction(r.kind)) a.interactions += r.total;
  }
  return [...by.values()].map(({ seen, ...a }) => {
    // Figures came from this network, but never impressions: "non communiqué", not zero.
    for (const ch of seen) if (!(ch in a.social)) a.social[ch] = null;
    const socialReach = Object.values(a.social).reduce<number>((s, n) => s + (n ?? 0), 0);
    return { ...a, reach: a.site + a.newsletter + socialReach };
  });
}

/** A column of the article table: reach, site, newsletter, interactions, or a network (StatsChannels.sortKeys). */
export type SortKey = string;

export function sortValue(a: ArticleReach, key: SortKey): number {
  if (key === 'reach' || key === 'site' || key === 'newsletter' || key === 'interactions') return a[key];
  return a.social[key] ?? -1;
}

/** The order of the article table. Ties: the most read first, then the newest article (largest id), so pages never shuffle. */
export function compareArticles(key: SortKey, dir: 'asc' | 'desc'): (x: ArticleReach, y: ArticleReach) => number {
  const sign = dir === 'asc' ? 1 : -1;
  return (x, y) => sign * (sortValue(x, key) - sortValue(y, key)) || y.reach - x.reach || y.articleId - x.articleId;
}

export function sortArticles(rows: ArticleReach[], key: SortKey, dir: 'asc' | 'desc'): ArticleReach[] {
  return [...rows].sort(compareArticles(key, dir));
}

/** One article's line over two sets of days (the rolled-up ones and today): what articleReach gives for their rows together. */
export function addReach(a: ArticleReach, b: ArticleReach): ArticleReach {
  const social: Record<string, number | null> = { ...a.social };
  for (const [ch, n] of Object.entries(b.social)) {
    const was = social[ch];
    // null: figures, but never impressions, on that network; a number on either side is the sum.
    social[ch] = was === undefined ? n : was === null && n === null ? null : (was ?? 0) + (n ?? 0);
  }
  const site = a.site + b.site;
  const newsletter = a.newsletter + b.newsletter;
  const socialReach = Object.values(social).reduce<number>((s, n) => s + (n ?? 0), 0);
  return { articleId: a.articleId, site, newsletter, social, interactions: a.interactions + b.interactions, reach: site + newsletter + socialReach };
}

/** A chart's time axis: days up to two months, months beyond (a year of days is unreadable). */
export function bucketOf(days: number): 'day' | 'month' {
  return days <= 62 ? 'day' : 'month';
}

export interface Series {
  /** i18n key of the series' name. */
  label: string;
  values: number[];
}

/** Sums `rows` into buckets along the period (every bucket present, zeros included). */
export function seriesOf(rows: DayTotal[], buckets: string[], bucket: 'day' | 'month', test: (r: DayTotal) => boolean): number[] {
  const index = new Map(buckets.map((b, i) => [b, i]));
  const values = buckets.map(() => 0);
  for (const r of rows) {
    if (!test(r)) continue;
    const i = index.get(bucket === 'day' ? r.day : r.day.slice(0, 7));
    if (i !== undefined) values[i] = (values[i] as number) + r.total;
  }
  return values;
}

export { isInteraction };
