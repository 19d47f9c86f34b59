import { SOURCES, type Source } from './audience.classify';
import { addDays } from './audience.days';
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
  averageDailyVisitors: number;
  days: { day: string; views: number; visitors: number }[]; // newest first
  sources: { source: Source; views: number; share: number }[]; // most views first, zero rows left out
  articles: { articleId: number; title: string | null; slug: string | null; published: boolean; views: number; mainSource: Source | null }[];
  articlesTotal: number;
}

type ArticleLookup = (id: number) => Promise<{ title: string; slug: string; status: string } | null>;

/** Gathers the audience page's figures for the last `days` days, today included. */
export async function buildReport(repo: AudienceRepository, today: string, q: ReportQuery, article: ArticleLookup): Promise<AudienceReport> {
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
  const sources = SOURCES.map((source) => ({ source, views: bySource.get(source) ?? 0, share: 0 }))
    .filter((s) => s.views > 0)
    .sort((a, b) => b.views - a.views)
    .map((s) => ({ ...s, share: totalViews ? s.views / totalViews : 0 }));

  const ids = top.rows.map((r) => r.articleId);
  const [perSource, found] = await Promise.all([repo.sourcesOf(from, ids), Promise.all(ids.map((id) => article(id)))]);
  const main = new Map<number, { source: Source; views: number }>();
  for (const s of perSource) {
    const best = main.get(s.articleId);
    if (!best || s.views > best.views) main.set(s.articleId, { source: s.source, views: s.views });
  }
  const articles = top.rows.map((r, i) => {
    const a = found[i] ?? null;
    return { articleId: r.articleId, title: a?.title ?? null, slug: a?.slug ?? null, published: a?.status === 'published', views: r.views, mainSource: main.get(r.articleId)?.source ?? null };
  });
  const articleViews = totalViews - (await repo.otherPageViews(from));
  return {
    from,
    to: today,
    totalViews,
    articleViews,
    visitorDays,
    averageDailyVisitors: Math.round(visitorDays / q.days),
    days,
    sources,
    articles,
    articlesTotal: top.total,
  };
}
