/* eslint-disable @typescript-eslint/no-explicit-any -- knex rows are untyped until mapped here */
import type { Knex } from 'knex';
import { fromDbCount } from '../db/dialect';

/** Whole Europe/Paris days, both ends included ('YYYY-MM-DD'). */
export interface DayRange {
  from: string;
  to: string;
}

export interface KindTotal {
  channel: string;
  kind: string;
  total: number;
}
export interface DayTotal extends KindTotal {
  day: string;
}
export interface ArticleTotal extends KindTotal {
  articleId: number;
}
export interface SourceTotal {
  source: string;
  total: number;
}
export interface PublicationDayTotal {
  publicationId: number;
  channel: string;
  day: string;
  kind: string;
  total: number;
}

/**
 * Every read of the engagement store (the dashboard, its CSV, the monthly report). Counts only:
 * nothing here can name a person.
 *
 * FRESHNESS: a day listed in engagement_rollup_days is read from its totals (engagement_daily);
 * every other day of the range (today, or a night the rollup missed) is summed from the raw
 * events, so that a figure is never older than the writer's last flush. Each question is asked
 * of both halves separately and the two answers added here: each half keeps its own index
 * (day first) instead of the database aggregating a union.
 */
export class EngagementQueries {
  constructor(private readonly db: Knex) {}

  private rolledDays(range: DayRange) {
    return this.db('engagement_rollup_days').whereBetween('day', [range.from, range.to]).select('day');
  }

  /** The rolled-up half: engagement_daily on the days whose totals are complete. */
  private daily(range: DayRange) {
    return this.db('engagement_daily').whereBetween('day', [range.from, range.to]).whereIn('day', this.rolledDays(range));
  }

  /** The fresh half: raw events of the days not rolled up yet. */
  private raw(range: DayRange) {
    return this.db('engagement_events').whereBetween('day', [range.from, range.to]).whereNotIn('day', this.rolledDays(range));
  }

  /** Totals per channel and kind over the range. */
  async totals(range: DayRange): Promise<KindTotal[]> {
    const [a, b] = await Promise.all([
      this.daily(range).groupBy('channel', 'kind').select('channel', 'kind', this.db.raw('sum(total) as n')),
      this.raw(range).groupBy('channel', 'kind').select('channel', 'kind', this.db.raw('sum(value) as n')),
    ]);
    return merge(
      [...a, ...b],
      (r) => `${r.channel}|${r.kind}`,
      (r) => ({ channel: r.channel, kind: r.kind }),
    );
  }

  /** Totals per day, channel and kind (the charts; their sum is totals()). */
  async byDay(range: DayRange): Promise<DayTotal[]> {
    const [a, b] = await Promise.all([
      this.daily(range).groupBy('day', 'channel', 'kind').select('day', 'channel', 'kind', this.db.raw('sum(total) as n')),
      this.raw(range).groupBy('day', 'channel', 'kind').select('day', 'channel', 'kind', this.db.raw('sum(value) as n')),
    ]);
    return merge(
      [...a, ...b],
      (r) => `${r.day}|${r.channel}|${r.kind}`,
      (r) => ({ day: r.day, channel: r.channel, kind: r.kind }),
    );
  }

  /** Totals per article, channel and kind over the range (events about no article are left out). */
  async byArticle(range: DayRange, kinds: readonly string[]): Promise<ArticleTotal[]> {
    const [a, b] = await Promise.all([
      this.daily(range)
        .where('article_id', '>', 0)
        .whereIn('kind', kinds)
        .groupBy('article_id', 'channel', 'kind')
        .select('article_id', 'channel', 'kind', this.db.raw('sum(total) as n')),
      this.raw(range)
        .whereNotNull('article_id')
        .whereIn('kind', kinds)
        .groupBy('article_id', 'channel', 'kind')
        .select('article_id', 'channel', 'kind', this.db.raw('sum(value) as n')),
    ]);
    return merge(
      [...a, ...b],
      (r) => `${r.article_id}|${r.channel}|${r.kind}`,
      (r) => ({ articleId: Number(r.article_id), channel: r.channel, kind: r.kind }),
    );
  }

  /** One article's totals per day, channel and kind. */
  async articleByDay(articleId: number, range: DayRange): Promise<DayTotal[]> {
    const [a, b] = await Promise.all([
      this.daily(range).where('article_id', articleId).groupBy('day', 'channel', 'kind').select('day', 'channel', 'kind', this.db.raw('sum(total) as n')),
      this.raw(range).where('article_id', articleId).groupBy('day', 'channel', 'kind').select('day', 'channel', 'kind', this.db.raw('sum(value) as n')),
    ]);
    return merge(
      [...a, ...b],
      (r) => `${r.day}|${r.channel}|${r.kind}`,
      (r) => ({ day: r.day, channel: r.channel, kind: r.kind }),
    );
  }

  /** Where an article's readers on the site came from (site views per source). */
  async articleSources(articleId: number, range: DayRange): Promise<SourceTotal[]> {
    const [a, b] = await Promise.all([
      this.daily(range).where({ article_id: articleId, channel: 'site', kind: 'view' }).groupBy('source').select('source', this.db.raw('sum(total) as n')),
      this.raw(range).where({ article_id: articleId, channel: 'site', kind: 'view' }).groupBy('source').select('source', this.db.raw('sum(value) as n')),
    ]);
    return merge(
      [...a, ...b],
      (r) => r.source,
      (r) => ({ source: r.source || 'other' }),
    ).sort((x, y) => y.total - x.total || x.source.localeCompare(y.source));
  }

  /**
   * One article's figures per publication and day. The daily totals do not keep the publication,
   * so these come from the raw events (kept for the retention period, 25 months by default).
   */
  async publicationsByDay(articleId: number, range: DayRange): Promise<PublicationDayTotal[]> {
    const rows = await this.db('engagement_events')
      .where('article_id', articleId)
      .whereBetween('day', [range.from, range.to])
      .whereNotNull('publication_id')
      .groupBy('publication_id', 'channel', 'day', 'kind')
      .select('publication_id', 'channel', 'day', 'kind', this.db.raw('sum(value) as n'));
    return (rows as any[]).map((r) => ({ publicationId: Number(r.publication_id), channel: r.channel, day: r.day, kind: r.kind, total: fromDbCount(r.n) }));
  }

  /** Whether generated demo history counts in the range (the dashboard says so). */
  async hasDemo(range: DayRange): Promise<boolean> {
    const [a, b] = await Promise.all([this.daily(range).where('demo', true).first('day'), this.raw(range).where('demo', true).first('day')]);
    return Boolean(a || b);
  }
}

/** Adds up rows that share a key (the rolled-up and the fresh halves). */
function merge<T>(rows: any[], key: (r: any) => string, make: (r: any) => T): (T & { total: number })[] {
  const out = new Map<string, T & { total: number }>();
  for (const r of rows) {
    const k = key(r);
    const n = fromDbCount(r.n);
    const found = out.get(k);
    if (found) found.total += n;
    else out.set(k, { ...make(r), total: n });
  }
  return [...out.values()];
}
