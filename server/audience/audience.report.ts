import { SOURCES, type Source } from './audience.classify';
import { addDays } from './audience.days';
import { foldUnnamedSources } from './audience.labels';
import type { AudienceRepository } from './audience.repository';

export const PERIODS = [7, 30, 90] as const;
export type Period = (typeof PERIODS)[number];

export interface ReportQuery {
  days: Period;
  limit: number;
  offset: number;
}

export interface AudienceReport {
  from: string; // first day, 'YYYY-MM-DD'
  to: string; // today
  totalViews: number;
  articleViews: number;
  /** Sum of each day's unique visitors: a visitor who comes back on three days counts three times. */
  visitorDays: number;
  /** Per day since the first day of the period with a view: one decimal under 10, whole above. */
  averageDailyVisitors: number;
  days: { day: string; views: number; visitors: number }[]; // newest first
  sources: { source: Source; views: number; share: number }[]; // most views first, zero rows left out
  articles: { articleId: number; title: string | null; slug: string | null; published: boolean; views: number; mainSource: Source | null }[];
  articlesTotal: number;
}

type ArticleLookup = (id: number) => Promise<{ title: string; slug: string; status: string } | null>;

/**
 * Gathers the audience page's figures for the last `days` days, today included. A channel the
 * installation no longer registers (`channelLabel` does not know it) is counted with other sites.
 */
export async function buildReport(
  repo: AudienceRepository,
  today: string,
  q: ReportQuery,
  article: ArticleLookup,
  channelLabel: (channel: string) => string | undefined,
): Promise<AudienceReport> {
  const from = addDays(today, -(q.days - 1));
  const [viewsByDay, visitorsByDay, bySource, top] = await Promise.all([
    repo.viewsByDay(from),
    repo.visitorsByDay(from),
    repo.viewsBySource(from),
    repo.topArticles(from, q.limit, q.offset),
  ]);
  const days: AudienceReport['days'] = [];
  for (let day = today; day >= from; day = addDays(day, -1)) {
    days.push({ day, views: viewsByDay.get(day) ?? 0, visitors: visitorsByDay.get(day) ?? 0 });
  }
  const totalViews = days.reduce((n, d) => n + d.views, 0);
  const visitorDays = days.reduce((n, d) => n + d.visitors, 0);
  // Every source with views, a registered channel's too.
  const rank = (source: string) => {
    const i = (SOURCES as readonly string[]).indexOf(source);
    return i === -1 ? SOURCES.length : i;
  };
  // Most views first; a tie in the fixed order, channels after, by name (the same on every database).
  const before = (a: { source: string; views: number }, b: { source: string; views: number }) =>
    b.views - a.views || rank(a.source) - rank(b.source) || a.source.localeCompare(b.source);
  const add = (into: { views: number }, row: { views: number }) => void (into.views += row.views);
  const sources = foldUnnamedSources(
    [...bySource].map(([source, views]) => ({ source, views, share: 0 })),
    channelLabel,
    add,
  )
    .filter((s) => s.views > 0)
    .sort(before)
    .map((s) => ({ ...s, share: totalViews ? s.views / totalViews : 0 }));

  const ids = top.rows.map((r) => r.articleId);
  const [perSource, found] = await Promise.all([repo.sourcesOf(from, ids), Promise.all(ids.map((id) => article(id)))]);
  const main = new Map<number, { source: Source; views: number }>();
  for (const s of groupedBy(perSource, channelLabel, add)) {
    const best = main.get(s.articleId);
    if (!best || before(s, best) < 0) main.set(s.articleId, { source: s.source, views: s.views });
  }
  const articles = top.rows.map((r, i) => {
    const a = found[i] ?? null;
    return {
      articleId: r.articleId,
      title: a?.title ?? null,
      slug: a?.slug ?? null,
      published: a?.status === 'published',
      views: r.views,
      mainSource: main.get(r.articleId)?.source ?? null,
    };
  });
  const articleViews = totalViews - (await repo.otherPageViews(from));
  return {
    from,
    to: today,
    totalViews,
    articleViews,
    visitorDays,
    averageDailyVisitors: averagePerDay(visitorDays, countedDays(days)),
    days,
    sources,
    articles,
    articlesTotal: top.total,
  };
}

/**
 * The days the average is taken over: from the first one with a view to today. The days before
 * that are days the site was not measured yet (just installed, or the data was purged), not days
 * nobody came; counting them would show "0 per day" on a site read every day since last week.
 */
export function countedDays(days: { views: number; visitors: number }[]): number {
  // `days` is newest first: the last day with something is the first counted one.
  for (let i = days.length - 1; i >= 0; i--) {
    const d = days[i] as { views: number; visitors: number };
    if (d.views > 0 || d.visitors > 0) return i + 1;
  }
  return 0;
}

/** An estimate reads better rounded: "2,5" rather than "2" or "2,4667", and "143" rather than "142,8". */
export function averagePerDay(total: number, days: number): number {
  if (days <= 0) return 0;
  const mean = total / days;
  return mean < 10 ? Math.round(mean * 10) / 10 : Math.round(mean);
}

/** Each article's rows per source, a channel no longer registered folded into other sites. */
function groupedBy<R extends { articleId: number; source: Source; views: number }>(
  rows: readonly R[],
  channelLabel: (channel: string) => string | undefined,
  add: (into: R, row: R) => void,
): R[] {
  const byArticle = new Map<number, R[]>();
  for (const r of rows) {
    const own = byArticle.get(r.articleId);
    if (own) own.push(r);
    else byArticle.set(r.articleId, [r]);
  }
  return [...byArticle.values()].flatMap((own) => foldUnnamedSources(own, channelLabel, add));
}
