import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import {
  channelRefs,
  isBot,
  isPrefetch,
  mastodonHostOf,
  refusesMeasurement,
  sourceOf,
  visitorHash,
  visitorKey,
  type Source,
  type SourceContext,
} from './audience.classify';
import { dayFormatter, monthsBefore } from './audience.days';
import type { AudienceRepository, ViewCount, VisitorHash } from './audience.repository';
import { buildReport, type AudienceReport, type ReportQuery } from './audience.report';
import type { EngagementEvent } from '../engagement/engagement.types';

export interface ViewInput {
  articleId: number | null;
  path: string;
  url: string; // with its query string (the `ref` parameter Crieur adds to its own links)
  headers: IncomingHttpHeaders;
  ip: string | undefined;
  /** HEAD requests are not views; GET when not given. */
  method?: string;
}

export interface AudienceDeps {
  db: Knex;
  repo: AudienceRepository;
  clock: Clock;
  log: Logger;
  timeZone: string;
  baseUrl: string;
  settings?: { get(): Promise<{ social: { mastodon: string } }>; events: { on(event: 'changed', fn: () => void): unknown } };
  articles?: { get(id: number): Promise<{ id: number; title: string; slug: string; status: string } | null> };
  /** How often the buffered views are written (ms). */
  flushEveryMs?: number;
  /** Off: countView does nothing (the benchmark compares both). */
  enabled?: boolean;
  /**
   * The channels the installation registered (container: its adapters but the site): a visit
   * through one's own links (`ref=<channel>`) counts as that channel, named by its label.
   */
  channels?: readonly { channel: string; label: string }[];
  /** The engagement store: each counted view, and each new visitor of the day, as events. */
  engagement?: { record(...events: EngagementEvent[]): void };
}

/** Raw audience data is kept at most 25 months (CNIL conditions for measurement without consent). */
export const RETENTION_MONTHS = 25;
// A database that stays down must not make the process grow without bound: past this many
// distinct visitors waiting to be written, views are still counted but visitors no longer.
const MAX_PENDING_VISITORS = 100_000;

/**
 * Audience measurement without a consent banner: counts article views on the server, with no
 * cookie and no script, never stores an address, and never makes a page wait — views are
 * buffered in memory and written every few seconds as increments.
 */
export class AudienceService {
  private readonly repo: AudienceRepository;
  private readonly dayOf: (d: Date) => string;
  private readonly log: Logger;
  private enabled: boolean;
  private closed = false;
  private views = new Map<string, ViewCount>();
  private visitors = new Map<string, Set<string>>(); // day → visitor keys (see visitorKey)
  private pendingVisitors = 0;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private salt: { day: string; value: string } | null = null;
  private readonly sources: SourceContext;
  private settingsLoaded = false;
  private readonly channelLabels: ReadonlyMap<string, string>;

  constructor(private readonly d: AudienceDeps) {
    this.repo = d.repo;
    this.dayOf = dayFormatter(d.timeZone);
    this.log = d.log;
    this.enabled = d.enabled ?? true;
    let siteHost: string | null = null;
    try {
      siteHost = new URL(d.baseUrl).hostname.toLowerCase();
    } catch {
      siteHost = null;
    }
    const refs = channelRefs((d.channels ?? []).map((c) => c.channel));
    this.channelLabels = new Map((d.channels ?? []).filter((c) => refs.has(c.channel)).map((c) => [c.channel, c.label]));
    this.sources = { siteHost, mastodonHost: null, channels: refs };
    d.settings?.events.on('changed', () => this.loadSettings());
  }

  /** A registered channel's label (its adapter's, untranslated) when `source` is one. */
  channelLabel = (source: string): string | undefined => this.channelLabels.get(source);

  setEnabled(on: boolean): void {
    this.enabled = on;
  }

  /**
   * Counts one page view (articleId null: a page that is not an article). Synchronous and cheap;
   * never throws and never waits for the database.
   */
  countView(input: ViewInput): void {
    if (!this.enabled || this.closed) return;
    try {
      if (input.method && input.method !== 'GET') return;
      const h = input.headers;
      if (refusesMeasurement(h) || isPrefetch(h) || isBot(h['user-agent'])) return;
      if (!this.settingsLoaded) this.loadSettings();
      const now = this.d.clock.now();
      const day = this.dayOf(now);
      const articleId = input.articleId ?? 0;
      const source: Source = sourceOf(input.url, h.referer, this.sources);
      this.d.engagement?.record({ channel: 'site', kind: 'view', articleId: input.articleId ?? null, source, at: now });
      const key = `${day}|${articleId}|${source}`;
      const counted = this.views.get(key);
      if (counted) counted.views++;
      else this.views.set(key, { day, articleId, source, views: 1 });
      if (this.pendingVisitors < MAX_PENDING_VISITORS) {
        let keys = this.visitors.get(day);
        if (!keys) this.visitors.set(day, (keys = new Set()));
        const before = keys.size;
        keys.add(visitorKey(input.ip, h));
        this.pendingVisitors += keys.size - before;
      }
      this.startTimer();
    } catch (err) {
      this.log.warn({ err }, 'audience: a view could not be counted');
    }
  }

  /**
   * Writes what is buffered. Resolves false when the database refused (the views are kept for
   * the next flush); never rejects.
   */
  flush(): Promise<boolean> {
    const run = this.chain.then(() => this.writeBuffered());
    this.chain = run;
    return run;
  }

  /** Stops the timer and writes what is left (called by container.close()). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!(await this.flush())) this.log.error('audience: the last views could not be written before stopping');
  }

  /**
   * The purge job: finished days' visitor hashes become a count, old salts go, and everything
   * measured more than 25 months ago is deleted.
   */
  async purge(): Promise<{ visitorHashes: number; salts: number; expiredRows: number }> {
    await this.flush();
    const today = this.dayOf(this.d.clock.now());
    const visitorHashes = await this.repo.rollUpVisitorsBefore(today);
    const salts = await this.repo.deleteSaltsBefore(today);
    const expiredRows = await this.repo.purgeBefore(monthsBefore(today, RETENTION_MONTHS));
    return { visitorHashes, salts, expiredRows };
  }

  /** The figures for the audience page (writes pending views first, so they include the last minute). */
  async report(q: ReportQuery): Promise<AudienceReport> {
    await this.flush();
    return buildReport(this.repo, this.dayOf(this.d.clock.now()), q, async (id) => (this.d.articles ? this.d.articles.get(id) : null), this.channelLabel);
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.d.flushEveryMs ?? 5000);
    this.timer.unref();
  }

  private loadSettings(): void {
    this.settingsLoaded = true;
    this.d.settings
      ?.get()
      .then((s) => {
        this.sources.mastodonHost = mastodonHostOf(s.social.mastodon);
      })
      .catch((err) => {
        this.settingsLoaded = false;
        this.log.warn({ err }, 'audience: settings not readable');
      });
  }

  private async writeBuffered(): Promise<boolean> {
    if (!this.views.size && !this.visitors.size) return true;
    const views = this.views;
    const visitors = this.visitors;
    this.views = new Map();
    this.visitors = new Map();
    this.pendingVisitors = 0;
    try {
      const today = this.dayOf(this.d.clock.now());
      const hashes: VisitorHash[] = [];
      for (const [day, keys] of visitors) {
        const salt = await this.saltFor(day, today);
        for (const key of keys) hashes.push({ day, hash: visitorHash(salt, key) });
      }
      const fresh = await this.repo.write([...views.values()], hashes);
      // A visitor becomes an event once known new on its day: the event holds a count, no hash.
      // Its time is the end of the flush; a day already over is dated at its last minute.
      const now = this.d.clock.now();
      for (const [day, n] of fresh) {
        const at = day < today ? lastMinuteOf(day, now, this.dayOf) : now;
        this.d.engagement?.record({ channel: 'site', kind: 'visitor', value: n, at });
      }
      return true;
    } catch (err) {
      this.putBack(views, visitors);
      this.log.warn({ err }, 'audience: views not written, retrying at the next flush');
      return false;
    }
  }

  private putBack(views: Map<string, ViewCount>, visitors: Map<string, Set<string>>): void {
    for (const [key, v] of views) {
      const now = this.views.get(key);
      if (now) now.views += v.views;
      else this.views.set(key, v);
    }
    for (const [day, keys] of visitors) {
      const now = this.visitors.get(day) ?? new Set<string>();
      for (const key of keys) now.add(key);
      this.visitors.set(day, now);
    }
    this.pendingVisitors = [...this.visitors.values()].reduce((n, s) => n + s.size, 0);
  }

  /**
   * Today's salt is shared through the database by every instance and replaces the previous
   * day's, which is deleted. Views buffered across midnight whose day's salt is already gone get
   * a throwaway salt: at worst such a visitor counts twice that day.
   */
  private async saltFor(day: string, today: string): Promise<string> {
    if (this.salt?.day === day) return this.salt.value;
    const fresh = crypto.randomBytes(32).toString('base64url');
    if (day < today) return (await this.repo.salt(day)) ?? fresh;
    const value = await this.repo.saltOrCreate(day, fresh);
    await this.repo.deleteSaltsBefore(day);
    this.salt = { day, value };
    return value;
  }
}

/** An instant on `day` (a finished day): walks back from `now` an hour at a time (bounded). */
function lastMinuteOf(day: string, now: Date, dayOf: (d: Date) => string): Date {
  let t = now.getTime();
  for (let i = 0; i < 72 && dayOf(new Date(t)) > day; i++) t -= 3600_000;
  const at = new Date(t);
  return dayOf(at) === day ? at : now;
}
