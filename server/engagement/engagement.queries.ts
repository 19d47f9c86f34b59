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

/** Where a figure is summed from: raw events, the daily totals, or the monthly ones. */
type Source = 'events' | 'daily' | 'monthly';
/** One question, asked of one source (its own columns: `value` or `total`, `day` or `month`). */
type Ask = (q: Knex.QueryBuilder, src: Source) => Knex.QueryBuilder;

/** The answer of both halves kept apart: `rolled` is remembered (the same array until the totals change). */
export interface Split<T> {
  rolled: T[];
  fresh: T[];
}

/**
 * Every read of the engagement store (the dashboard, its CSV, the monthly report). Counts only:
 * nothing here can name a person.
 *
 * FRESHNESS: a day listed in engagement_rollup_days is read from the rollups; every other day of
 * the range (today, or a night the rollup missed) is summed from the raw events, so that a figure
 * is never older than the writer's last flush. Of the rolled-up days, whole calendar months of
 * the range are read from engagement_monthly (the sum of their rolled-up days, kept in the same
 * transaction as them) where the question does not need the day, the days at the range's ends
 * from engagement_daily. Each question is asked of each part separately and the answers added
 * here: each part keeps its own index instead of the database aggregating a union.
 */
/** How many answers about rolled-up days are kept in memory (a few periods × a few questions). */
const MEMO_ENTRIES = 64;
/** A safety net: even if the rollup stamp did not move, an answer is asked again after this. */
const MEMO_TTL_MS = 15 * 60_000;

export class EngagementQueries {
  /**
   * Answers about rolled-up days, which do not change until a rollup runs again: keyed by the
   * question and its days, valid while the rollup stamp (the generation of the totals, how many
   * days are listed, the last rollup time) stays the same. Today's raw events are always read
   * afresh.
   */
  private readonly memo = new Map<string, { stamp: string; at: number; rows: unknown[] }>();

  constructor(
    private readonly db: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Questions already on their way to the database: the dashboard asks its three questions at once,
   * and they share one reading of the stamp and of the period's fresh days instead of asking each.
   */
  private readonly inFlight = new Map<string, Promise<unknown>>();

  private shared<T>(key: string, ask: () => Promise<T>): Promise<T> {
    let p = this.inFlight.get(key) as Promise<T> | undefined;
    if (!p) {
      p = ask().finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, p);
    }
    return p;
  }

  /** Changes whenever the rolled-up totals may have changed (every rollup and the demo's removal move the generation). */
  stamp(): Promise<string> {
    return this.shared('stamp', () => this.readStamp());
  }

  private async readStamp(): Promise<string> {
    const row = (await this.db
      .select(
        this.db.raw('(SELECT count(*) FROM engagement_rollup_days) as n'),
        this.db.raw('(SELECT max(rolled_up_at) FROM engagement_rollup_days) as m'),
        this.db.raw('(SELECT max(generation) FROM engagement_rollup_state) as g'),
      )
      .first()) as { n?: unknown; m?: unknown; g?: unknown } | undefined;
    return `${String(row?.g ?? '')}|${fromDbCount(row?.n)}|${String(row?.m ?? '')}`;
  }

  private async remembered<T>(key: string, stamp: string, ask: () => Promise<T[]>): Promise<T[]> {
    const hit = this.memo.get(key);
    if (hit && hit.stamp === stamp && this.now() - hit.at < MEMO_TTL_MS) {
      // Most recently used last, so that the oldest is the first to go.
      this.memo.delete(key);
      this.memo.set(key, hit);
      return hit.rows as T[];
    }
    const rows = await ask();
    this.memo.set(key, { stamp, at: this.now(), rows });
    while (this.memo.size > MEMO_ENTRIES) this.memo.delete(this.memo.keys().next().value as string);
    return rows;
  }

  /** The days of the range not rolled up yet (today, a night the job missed): few, listed one by one. */
  private freshDays(range: DayRange): Promise<string[]> {
    return this.shared(`fresh|${range.from}|${range.to}`, () => this.readFreshDays(range));
  }

  private async readFreshDays(range: DayRange): Promise<string[]> {
    const rolled = new Set((await this.db('engagement_rollup_days').whereBetween('day', [range.from, range.to]).select('day')).map((r: any) => String(r.day)));
    const out: string[] = [];
    for (let d = range.from; d <= range.to; d = nextDay(d)) if (!rolled.has(d)) out.push(d);
    return out;
  }

  /** The rolled-up half of a question: whole months from the monthly totals (when allowed), the other days from the daily ones. */
  private rolledRows(range: DayRange, months: boolean, ask: Ask): Promise<any[]> {
    const parts = months ? splitByMonth(range) : { months: [], days: [range] };
    const asked: Promise<any[]>[] = parts.days.map((d) =>
      ask(
        this.db('engagement_daily')
          .whereBetween('day', [d.from, d.to])
          .whereIn('day', this.db('engagement_rollup_days').whereBetween('day', [d.from, d.to]).select('day')),
        'daily',
      ),
    );
    const first = parts.months[0];
    const last = parts.months[parts.months.length - 1];
    if (first && last) asked.push(ask(this.db('engagement_monthly').whereBetween('month', [first, last]), 'monthly'));
    return Promise.all(asked).then((all) => all.flat());
  }

  /**
   * Asks a question of both halves, the rolled-up one (remembered, shaped by `shape`) and the
   * fresh one (raw events of the other days), and gives the two answers apart.
   */
  private async split<T>(name: string, range: DayRange, months: boolean, ask: Ask, shape: (rows: any[]) => T[]): Promise<Split<T>> {
    const [stamp, days] = await Promise.all([this.stamp(), this.freshDays(range)]);
    const [rolled, fresh] = await Promise.all([
      this.remembered(`${name}|${months}|${range.from}|${range.to}`, stamp, async () => shape(await this.rolledRows(range, months, ask))),
      days.length ? ask(this.db('engagement_events').whereIn('day', days), 'events') : Promise.resolve([]),
    ]);
    return { rolled, fresh: shape(fresh) };
  }

  /** Totals per channel and kind over the range. */
  async totals(range: DayRange): Promise<KindTotal[]> {
    const key = (r: KindTotal) => `${r.channel}|${r.kind}`;
    const s = await this.split(
      'totals',
      range,
      true,
      (q, src) => q.groupBy('channel', 'kind').select('channel', 'kind', sum(this.db, src)),
      (rows) => merge(rows, key, (r) => ({ channel: r.channel, kind: r.kind })),
    );
    return merge([...s.rolled, ...s.fresh], key, (r: KindTotal) => ({ channel: r.channel, kind: r.kind }));
  }

  /**
   * Totals per day (or per month: `day` is then 'YYYY-MM'), channel and kind: the charts, whose
   * sum is totals(). `demo` says whether demo data is among them.
   */
  async byDay(range: DayRange, bucket: 'day' | 'month' = 'day'): Promise<DayTotal[] & { demo?: boolean }> {
    const months = bucket === 'month';
    const at = (r: any): string => (months ? String(r.day).slice(0, 7) : String(r.day));
    const key = (r: DayTotal) => `${r.day}|${r.channel}|${r.kind}`;
    const shape = (rows: any[]) => {
      const out: DayTotal[] & { demo?: boolean } = merge(
        rows,
        (r) => `${at(r)}|${r.channel}|${r.kind}`,
        (r) => ({ day: at(r), channel: r.channel, kind: r.kind }),
      );
      out.demo = rows.some((r) => fromDbBool(r.demo));
      return out;
    };
    const ask: Ask = (q, src) => {
      const day = src === 'monthly' ? 'month' : 'day';
      return q.groupBy(day, 'channel', 'kind', 'demo').select(this.db.raw(`${day} as day`), 'channel', 'kind', 'demo', sum(this.db, src));
    };
    const s = await this.split(`byDay|${bucket}`, range, months, ask, shape);
    const out: DayTotal[] & { demo?: boolean } = merge([...s.rolled, ...s.fresh], key, (r: DayTotal) => ({ day: r.day, channel: r.channel, kind: r.kind }));
    out.demo = Boolean((s.rolled as { demo?: boolean }).demo || (s.fresh as { demo?: boolean }).demo);
    return out;
  }

  /**
   * Totals per article, channel and kind over the range (events about no article are left out),
   * the rolled-up half and the fresh one apart: the article table is computed once per rollup
   * from the first (StatsService), and each view adds the few articles of the second.
   */
  async byArticleSplit(range: DayRange, kinds: readonly string[]): Promise<Split<ArticleTotal>> {
    const ask: Ask = (q, src) =>
      (src === 'events' ? q.whereNotNull('article_id') : q.where('article_id', '>', 0))
        .whereIn('kind', kinds)
        .groupBy('article_id', 'channel', 'kind')
        .select('article_id', 'channel', 'kind', sum(this.db, src));
    return this.split(`byArticle|${kinds.join(',')}`, range, true, ask, (rows) =>
      merge(
        rows,
        (r) => `${r.article_id}|${r.channel}|${r.kind}`,
        (r) => ({ articleId: Number(r.article_id), channel: r.channel, kind: r.kind }),
      ),
    );
  }

  /** Totals per article, channel and kind over the range (events about no article are left out). */
  async byArticle(range: DayRange, kinds: readonly string[]): Promise<ArticleTotal[]> {
    const s = await this.byArticleSplit(range, kinds);
    return merge(
      [...s.rolled, ...s.fresh],
      (r) => `${r.articleId}|${r.channel}|${r.kind}`,
      (r: ArticleTotal) => ({ articleId: r.articleId, channel: r.channel, kind: r.kind }),
    );
  }

  /** One article's totals per day, channel and kind (not remembered: one article's rows are few). */
  async articleByDay(articleId: number, range: DayRange): Promise<DayTotal[]> {
    const s = await this.split(
      `articleByDay|${articleId}`,
      range,
      false,
      (q, src) => q.where('article_id', articleId).groupBy('day', 'channel', 'kind').select('day', 'channel', 'kind', sum(this.db, src)),
      (rows) => rows,
    );
    return merge(
      [...s.rolled, ...s.fresh],
      (r) => `${r.day}|${r.channel}|${r.kind}`,
      (r) => ({ day: r.day, channel: r.channel, kind: r.kind }),
    );
  }

  /** Where an article's readers on the site came from (site views per source). */
  async articleSources(articleId: number, range: DayRange): Promise<SourceTotal[]> {
    const s = await this.split(
      `articleSources|${articleId}`,
      range,
      false,
      (q, src) => q.where({ article_id: articleId, channel: 'site', kind: 'view' }).groupBy('source').select('source', sum(this.db, src)),
      (rows) => rows,
    );
    return merge(
      [...s.rolled, ...s.fresh],
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

/** The sum of a question: of the events' values, or of the rollups' totals. */
function sum(db: Knex, src: Source): Knex.Raw {
  return db.raw(src === 'events' ? 'sum(value) as n' : 'sum(total) as n');
}

/**
 * A range cut along the calendar: its whole months ('YYYY-MM', in order) and the days at its
 * ends that do not make a whole month.
 */
export function splitByMonth(range: DayRange): { months: string[]; days: DayRange[] } {
  const months: string[] = [];
  const days: DayRange[] = [];
  for (let month = range.from.slice(0, 7); month <= range.to.slice(0, 7); month = nextMonth(month)) {
    const first = `${month}-01`;
    const last = lastDayOf(month);
    if (first >= range.from && last <= range.to) months.push(month);
    else days.push({ from: first > range.from ? first : range.from, to: last < range.to ? last : range.to });
  }
  return { months, days };
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
}

function lastDayOf(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** Adds up rows that share a key (database rows, whose sum is `n`, or answers already shaped, whose sum is `total`). */
function merge<T>(rows: any[], key: (r: any) => string, make: (r: any) => T): (T & { total: number })[] {
  const out = new Map<string, T & { total: number }>();
  for (const r of rows) {
    const k = key(r);
    const n = fromDbCount(r.n ?? r.total);
    const found = out.get(k);
    if (found) found.total += n;
    else out.set(k, { ...make(r), total: n });
  }
  return [...out.values()];
}
