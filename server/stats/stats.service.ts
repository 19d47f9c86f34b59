import type { Clock } from '../clock';
import type { EngagementQueries, DayTotal } from '../engagement/engagement.queries';
import type { Publication } from '../publishing/publications.repository';
import type { ArticleStatus } from '../articles/articles.types';
import { ARTICLE_KINDS, articleReach, bucketOf, isInteraction, seriesOf, totalsOf, type ArticleReach, type SortKey, type Totals } from './stats.model';
import { ArticleTables } from './stats.article-table';
import type { StatsChannels } from './stats.channels';
import { foldUnnamedSources } from '../audience/audience.labels';
import { daysOf, todayIn, type DayRange, type Period } from './stats.period';

export interface ArticleSummary {
  id: number;
  title: string;
  slug: string;
  status: ArticleStatus;
}
export type ArticleLine = ArticleReach & { article: ArticleSummary | null };

export interface ChartData {
  /** 'site', 'newsletter' or a network. */
  channel: string;
  /** Kinds of events ('view', 'visitor', 'delivery', 'open', 'click', 'impression'), or 'interactions'. */
  series: { kind: string; values: number[] }[];
}

export interface Dashboard {
  period: Period;
  totals: Totals;
  previous: Totals;
  /** Confirmed newsletter subscribers now (not a period figure), the demo list's included. */
  subscribers: number;
  /** How many of them are the demo's (generated history, not on the Abonnés page). */
  demoSubscribers: number;
  socialChannels: string[];
  bucket: 'day' | 'month';
  buckets: string[];
  charts: ChartData[];
  articles: { rows: ArticleLine[]; total: number };
  top: ArticleLine[];
  demo: boolean;
}

export interface StatsDeps {
  queries: EngagementQueries;
  clock: Clock;
  timeZone: string;
  articles: { summaries(ids: number[]): Promise<Map<number, ArticleSummary>> };
  subscriberCount: () => Promise<number>;
  /** The demo list's net subscriptions, 0 once the demo is removed. */
  demoSubscriberCount?: () => Promise<number>;
  publicationsOf: (articleId: number) => Promise<Publication[]>;
  /** The site, the newsletter and the registered networks (their labels, what they report). */
  channels: StatsChannels;
}

/** Buckets of a range along the time axis: its days, or its months ('YYYY-MM'). */
export function bucketsOf(range: DayRange, bucket: 'day' | 'month'): string[] {
  const days = daysOf(range);
  return bucket === 'day' ? days : [...new Set(days.map((d) => d.slice(0, 7)))];
}

/** Series of the chart of one channel. */
function chartsOf(rows: DayTotal[], socialChannels: string[], buckets: string[], bucket: 'day' | 'month'): ChartData[] {
  const s = (channel: string, kind: string) => ({ kind, values: seriesOf(rows, buckets, bucket, (r) => r.channel === channel && r.kind === kind) });
  const charts: ChartData[] = [
    { channel: 'site', series: [s('site', 'view'), s('site', 'visitor')] },
    { channel: 'newsletter', series: [s('newsletter', 'delivery'), s('newsletter', 'open'), s('newsletter', 'click')] },
  ];
  for (const ch of socialChannels) {
    const impressions = s(ch, 'impression');
    const interactions = { kind: 'interactions', values: seriesOf(rows, buckets, bucket, (r) => r.channel === ch && isInteraction(r.kind)) };
    // A network that never gives impressions gets no flat line of zeros pretending it does.
    charts.push({ channel: ch, series: impressions.values.some((v) => v > 0) ? [impressions, interactions] : [interactions] });
  }
  return charts;
}

/** The figures pages: the dashboard, an article's page, the CSV and the monthly report. */
export class StatsService {
  /** The article tables of the rolled-up days, remembered until the totals change. */
  private readonly tables: ArticleTables;

  constructor(private readonly d: StatsDeps) {
    this.tables = new ArticleTables(d.channels.isNetwork);
  }

  get channels(): StatsChannels {
    return this.d.channels;
  }

  today(): string {
    return todayIn(this.d.timeZone, this.d.clock.now());
  }

  async dashboard(period: Period, opts: { sort: SortKey; dir: 'asc' | 'desc'; limit: number; offset: number }): Promise<Dashboard> {
    const bucket = bucketOf(period.days);
    const [rows, previousRows, articleRows, { subscribers, demoSubscribers }] = await Promise.all([
      this.d.queries.byDay(period, bucket),
      this.d.queries.totals(period.previous),
      this.d.queries.byArticleSplit(period, ARTICLE_KINDS),
      this.subscribers(),
    ]);
    const socialChannels = this.d.channels.networksIn(rows);
    const buckets = bucketsOf(period, bucket);
    const sorted = this.tables.sorted(articleRows, opts.sort, opts.dir);
    const page = sorted.slice(opts.offset, opts.offset + opts.limit);
    const top: ArticleReach[] = [];
    for (const a of this.tables.sorted(articleRows, 'reach', 'desc')) {
      if (top.length === 5) break;
      if (a.reach + a.interactions > 0) top.push(a);
    }
    const summaries = await this.d.articles.summaries([...new Set([...page, ...top].map((a) => a.articleId))]);
    const line = (a: ArticleReach): ArticleLine => ({ ...a, article: summaries.get(a.articleId) ?? null });
    return {
      period,
      totals: totalsOf(rows, this.d.channels.isNetwork),
      previous: totalsOf(previousRows, this.d.channels.isNetwork),
      subscribers,
      demoSubscribers,
      socialChannels,
      bucket,
      buckets,
      charts: chartsOf(rows, socialChannels, buckets, bucket),
      articles: { rows: page.map(line), total: sorted.length },
      top: top.map(line),
      demo: rows.demo === true,
    };
  }

  async articleSummary(id: number): Promise<ArticleSummary | null> {
    return (await this.d.articles.summaries([id])).get(id) ?? null;
  }

  /** A calendar month against the month before: the printable report and its e-mail. */
  monthlyReport(period: Period): Promise<Dashboard> {
    return this.dashboard(period, { sort: 'reach', dir: 'desc', limit: 0, offset: 0 });
  }

  /** Every article of the period, sorted by reach (the CSV export). */
  async allArticles(period: DayRange): Promise<{ rows: ArticleLine[]; socialChannels: string[] }> {
    const reach = this.tables.sorted(await this.d.queries.byArticleSplit(period, ARTICLE_KINDS), 'reach', 'desc');
    const summaries = await this.d.articles.summaries(reach.map((a) => a.articleId));
    return {
      rows: reach.map((a) => ({ ...a, article: summaries.get(a.articleId) ?? null })),
      socialChannels: this.d.channels.networksIn(reach.flatMap((a) => Object.keys(a.social).map((channel) => ({ channel })))),
    };
  }

  async totalsFor(period: Period): Promise<{ totals: Totals; previous: Totals; subscribers: number }> {
    const [rows, previousRows, { subscribers }] = await Promise.all([
      this.d.queries.totals(period),
      this.d.queries.totals(period.previous),
      this.subscribers(),
    ]);
    const { isNetwork } = this.d.channels;
    return { totals: totalsOf(rows, isNetwork), previous: totalsOf(previousRows, isNetwork), subscribers };
  }

  /**
   * The list now: the real confirmed subscribers, plus the demo list's net subscriptions while
   * its history is there, so that the card agrees with the demo's net change and its letters.
   */
  private async subscribers(): Promise<{ subscribers: number; demoSubscribers: number }> {
    const [real, demo] = await Promise.all([this.d.subscriberCount(), this.d.demoSubscriberCount?.() ?? 0]);
    const demoSubscribers = Math.max(0, demo);
    return { subscribers: real + demoSubscribers, demoSubscribers };
  }

  /** One article's page: its figures per channel over time, its publications' figures, its readers' sources. */
  async article(articleId: number, period: Period) {
    const [rows, publications, perPublication, sources] = await Promise.all([
      this.d.queries.articleByDay(articleId, period),
      this.d.publicationsOf(articleId),
      this.d.queries.publicationsByDay(articleId, period),
      this.d.queries.articleSources(articleId, period),
    ]);
    const bucket = bucketOf(period.days);
    const buckets = bucketsOf(period, bucket);
    const reach =
      articleReach(
        rows.map((r) => ({ ...r, articleId })),
        this.d.channels.isNetwork,
      )[0] ?? null;
    // The site's publication is the article's own page: its figures are the article's site views,
    // which the audience measurement counts per article, not per publication.
    const sitePublication = publications.find((p) => p.channel === 'site');
    const siteViews = rows.filter((r) => r.channel === 'site' && r.kind === 'view');
    const pubs = publications.map((p) => {
      const tagged = perPublication.filter((r) => r.publicationId === p.id);
      const own = !tagged.length && p === sitePublication ? siteViews.map((r) => ({ ...r, publicationId: p.id })) : tagged;
      const kinds = [...new Set(own.map((r) => r.kind))].sort();
      const series = kinds.map((kind) => ({
        kind,
        values: seriesOf(
          own.map((r) => ({ ...r, channel: p.channel })),
          buckets,
          bucket,
          (r) => r.kind === kind,
        ),
      }));
      const totals = Object.fromEntries(kinds.map((k) => [k, own.filter((r) => r.kind === k).reduce((n, r) => n + r.total, 0)]));
      // Figures from a network that never gives impressions: say so, rather than leave them out.
      const impressionsUnreported = kinds.length > 0 && !kinds.includes('impression') && this.d.channels.impressionsUnreported(p.channel);
      return { publication: p, series, totals, impressionsUnreported };
    });
    const socialChannels = this.d.channels.networksIn(rows);
    // 'social': the demo's visits from networks, made before any was registered (demo-history.ts).
    const named = foldUnnamedSources(sources, this.d.channels.networkLabel, (into, row) => void (into.total += row.total), ['social']);
    named.sort((x, y) => y.total - x.total || x.source.localeCompare(y.source));
    return { period, bucket, buckets, reach, charts: chartsOf(rows, socialChannels, buckets, bucket), publications: pubs, sources: named };
  }
}
