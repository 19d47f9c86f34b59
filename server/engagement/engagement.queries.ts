/* eslint-disable @typescript-eslint/no-explicit-any -- knex rows are untyped until mapped here */
import type { Knex } from 'knex';
import { fromDbBool, fromDbCount } from '../db/dialect';

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
/** How many answers about rolled-up days are kept in memory (a few periods × a few questions). */
const MEMO_ENTRIES = 64;
/** A safety net: even if the rollup stamp did not move, an answer is asked again after this. */
const MEMO_TTL_MS = 15 * 60_000;

export class EngagementQueries {
  /**
   * Answers about rolled-up days, which do not change until a rollup runs again: keyed by the
   * question and its days, valid while the rollup stamp (how many days are listed, the last
   * rollup time) stays the same. A year of totals is hundreds of thousands of rows; without this
   * every dashboard view would add them up again. Today's raw events are always read afresh.
   */
  private readonly memo = new Map<string, { stamp: string; at: number; rows: any[] }>();

  constructor(
    private readonly db: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  private async stamp(): Promise<string> {
    const row = (await this.db('engagement_rollup_days').count({ n: '*' }).max({ m: 'rolled_up_at' }).first()) as { n?: unknown; m?: unknown } | undefined;
    return `${fromDbCount(row?.n)}|${String(row?.m ?? '')}`;
  }

  private async remembered(key: string, stamp: string, ask: () => Promise<any[]>): Promise<any[]> {
    const hit = this.memo.get(key);
    if (hit && hit.stamp === stamp && this.now() - hit.at < MEMO_TTL_MS) {
      // Most recently used last, so that the oldest is the first to go.
      this.memo.delete(key);
      this.memo.set(key, hit);
      return hit.rows;
    }
    const rows = await ask();
    this.memo.set(key, { stamp, at: this.now(), rows });
    while (this.memo.size > MEMO_ENTRIES) this.memo.delete(this.memo.keys().next().value as string);
    return rows;
  }

  /** The days of the range not rolled up yet (today, a night the job missed): few, listed one by one. */
  private async freshDays(range: DayRange): Promise<string[]> {
    const rolled = new Set((await this.db('engagement_rollup_days').whereBetween('day', [range.from, range.to]).select('day')).map((r: any) => String(r.day)));
    const out: string[] = [];
    for (let d = range.from; d <= range.to; d = nextDay(d)) if (!rolled.has(d)) out.push(d);
    return out;
  }

  /**
   * Asks a question of both halves: the rolled-up one (engagement_daily on the days listed as
   * complete, remembered) and the fresh one (raw events of the other days), and adds them up.
   */
  private async both(
    name: string,
    range: DayRange,
    rolled: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
    fresh: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
  ): Promise<any[]> {
    const [stamp, days] = await Promise.all([this.stamp(), this.freshDays(range)]);
    const [a, b] = await Promise.all([
      this.remembered(`${name}|${range.from}|${range.to}`, stamp, () =>
        rolled(
          this.db('engagement_daily')
            .whereBetween('day', [range.from, range.to])
            .whereIn('day', this.db('engagement_rollup_days').whereBetween('day', [range.from, range.to]).select('day')),
        ),
      ),
      days.length ? fresh(this.db('engagement_events').whereIn('day', days)) : Promise.resolve([]),
    ]);
    return [...a, ...b];
  }

  /** Totals per channel and kind over the range. */
  async totals(range: DayRange): Promise<KindTotal[]> {
    const rows = await this.both(
      'totals',
      range,
      (q) => q.groupBy('channel', 'kind').select('channel', 'kind', this.db.raw('sum(total) as n')),
      (q) => q.groupBy('channel', 'kind').select('channel', 'kind', this.db.raw('sum(value) as n')),
    );
    return merge(
      rows,
      (r) => `${r.channel}|${r.kind}`,
      (r) => ({ channel: r.channel, kind: r.kind }),
    );
  }

  /** Totals per day, channel and kind (the charts; their sum is totals()), and whether demo data is among them. */
  async byDay(range: DayRange): Promise<DayTotal[] & { demo?: boolean }> {
    const rows = await this.both(
      'byDay',
      range,
      (q) => q.groupBy('day', 'channel', 'kind', 'demo').select('day', 'channel', 'kind', 'demo', this.db.raw('sum(total) as n')),
      (q) => q.groupBy('day', 'channel', 'kind', 'demo').select('day', 'channel', 'kind', 'demo', this.db.raw('sum(value) as n')),
    );
    const out: DayTotal[] & { demo?: boolean } = merge(
      rows,
      (r) => `${r.day}|${r.channel}|${r.kind}`,
      (r) => ({ day: r.day, channel: r.channel, kind: r.kind }),
    );
    out.demo = rows.some((r) => fromDbBool(r.demo));
    return out;
  }

  /** Totals per article, channel and kind over the range (events about no article are left out). */
  async byArticle(range: DayRange, kinds: readonly string[]): Promise<ArticleTotal[]> {
    const rows = await this.both(
      `byArticle|${kinds.join(',')}`,
      range,
      (q) =>
        q
          .where('article_id', '>', 0)
          .whereIn('kind', kinds)
          .groupBy('article_id', 'channel', 'kind')
          .select('article_id', 'channel', 'kind', this.db.raw('sum(total) as n')),
      (q) =>
        q
          .whereNotNull('article_id')
          .whereIn('kind', kinds)
          .groupBy('article_id', 'channel', 'kind')
          .select('article_id', 'channel', 'kind', this.db.raw('sum(value) as n')),
    );
    return merge(
      rows,
      (r) => `${r.article_id}|${r.channel}|${r.kind}`,
      (r) => ({ articleId: Number(r.article_id), channel: r.channel, kind: r.kind }),
    );
  }

  /** One article's totals per day, channel and kind (not remembered: one article's rows are few). */
  async articleByDay(articleId: number, range: DayRange): Promise<DayTotal[]> {
    const rows = await this.both(
      `articleByDay|${articleId}`,
      range,
      (q) => q.where('article_id', articleId).groupBy('day', 'channel', 'kind').select('day', 'channel', 'kind', this.db.raw('sum(total) as n')),
      (q) => q.where('article_id', articleId).groupBy('day', 'channel', 'kind').select('day', 'channel', 'kind', this.db.raw('sum(value) as n')),
    );
    return merge(
      rows,
      (r) => `${r.day}|${r.channel}|${r.kind}`,
      (r) => ({ day: r.day, channel: r.channel, kind: r.kind }),
    );
  }

  /** Where an article's readers on the site came from (site views per source). */
  async articleSources(articleId: number, range: DayRange): Promise<SourceTotal[]> {
    const rows = await this.both(
      `articleSources|${articleId}`,
      range,
      (q) => q.where({ article_id: articleId, channel: 'site', kind: 'view' }).groupBy('source').select('source', this.db.raw('sum(total) as n')),
      (q) => q.where({ article_id: articleId, channel: 'site', kind: 'view' }).groupBy('source').select('source', this.db.raw('sum(value) as n')),
    );
    return merge(
      rows,
      (r) => r.source || 'other',
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
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
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
