import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { toDbTime } from '../db/dialect';
import { dayFormatter } from '../audience/audience.days';
import type { EngagementRepository } from './engagement.repository';
import type { EngagementEvent, EventRow } from './engagement.types';

export interface StoreOptions {
  timeZone: string;
  /** Distinct buffered rows that trigger a write at once. */
  maxBuffered?: number;
  /** How long a recorded event waits at most before it is written (ms). */
  flushEveryMs?: number;
}

// A database that stays down must not make the process grow without bound.
const MAX_PENDING = 200_000;

/**
 * Records engagement events in batches: `record` only adds to a buffer in memory (never waits,
 * never throws); the buffer is written when it is large, a few seconds after its first event,
 * and when the program closes. Events that differ only by their time within the same minute
 * are written as one row whose value is their sum.
 *
 * What this costs: if the process is killed (not closed), the events of the last few seconds
 * (`flushEveryMs`, 2 s by default) are lost — counts only, never a publication or a message.
 */
export class EngagementStore {
  private buffer = new Map<string, EventRow>();
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private dropped = 0;
  private readonly dayOf: (d: Date) => string;
  private readonly maxBuffered: number;
  private readonly flushEveryMs: number;
  private readonly timeZone: string;

  constructor(
    private readonly repo: EngagementRepository,
    private readonly clock: Clock,
    private readonly log: Logger,
    opts: StoreOptions,
  ) {
    this.timeZone = opts.timeZone;
    this.dayOf = quarterHourDays(opts.timeZone);
    this.maxBuffered = opts.maxBuffered ?? 2000;
    this.flushEveryMs = opts.flushEveryMs ?? 2000;
  }

  /** The Europe/Paris day of an instant, as the events store it ('YYYY-MM-DD'). */
  day(at: Date): string {
    return this.dayOf(at);
  }

  /** Adds events to the buffer. Synchronous and cheap; an event with a zero value is ignored. */
  record(...events: EngagementEvent[]): void {
    if (this.closed) return;
    for (const e of events) {
      try {
        const value = e.value ?? 1;
        if (!Number.isFinite(value) || value === 0) continue;
        const at = e.at ?? this.clock.now();
        const minute = Math.floor(at.getTime() / 60_000);
        const key = `${minute}|${e.channel}|${e.kind}|${e.articleId ?? ''}|${e.publicationId ?? ''}|${e.campaignId ?? ''}|${e.source ?? ''}|${e.demo ? 1 : 0}`;
        const row = this.buffer.get(key);
        if (row) {
          row.value += Math.trunc(value);
          continue;
        }
        if (this.buffer.size >= MAX_PENDING) {
          if (this.dropped++ % 10_000 === 0) this.log.error({ dropped: this.dropped }, 'engagement: the database is not answering, counts are being lost');
          continue;
        }
        this.buffer.set(key, toRow(e, at, this.dayOf(at), Math.trunc(value)));
      } catch (err) {
        this.log.warn({ err }, 'engagement: an event could not be recorded');
      }
    }
    if (this.buffer.size >= this.maxBuffered) void this.flush();
    else this.startTimer();
  }

  /** Writes what is buffered; resolves false when the database refused (kept for the next try). */
  flush(): Promise<boolean> {
    const run = this.chain.then(() => this.write());
    this.chain = run;
    return run;
  }

  /** Writes events at once, without the buffer (the demo's history): resolves with the rows written. */
  ingest(events: EngagementEvent[]): Promise<number> {
    return ingestEvents(this.repo, events, this.timeZone, this.clock.now());
  }

  /** Whether the demo's generated history is still there (the pages that do not read it say so). */
  hasDemo(): Promise<boolean> {
    return this.repo.hasDemo();
  }

  /** The demo list's net subscriptions, which the dashboard adds to the real subscribers. */
  demoSubscribers(): Promise<number> {
    return this.repo.demoSubscribers();
  }

  /**
   * Removes the demo's generated history (raw events and totals); real figures stay. Inside
   * `trx` when given (the demo's removal, all or nothing), else in its own transaction.
   */
  removeDemo(trx?: Knex.Transaction): Promise<number> {
    return this.repo.removeDemo(toDbTime(this.clock.now()), trx);
  }

  /** How many of the demo's generated events there are (what the demo's removal page counts). */
  demoEvents(): Promise<number> {
    return this.repo.demoEvents();
  }

  /** Stops the timer and writes what is left (container.close()). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!(await this.flush())) this.log.error({ events: this.buffer.size }, 'engagement: the last counts could not be written before stopping');
  }

  private startTimer(): void {
    if (this.timer || !this.buffer.size) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.flushEveryMs);
    this.timer.unref();
  }

  private async write(): Promise<boolean> {
    if (!this.buffer.size) return true;
    const batch = this.buffer;
    this.buffer = new Map();
    try {
      await this.repo.insert([...batch.values()]);
      return true;
    } catch (err) {
      // Put back, adding to what was recorded meanwhile under the same key.
      for (const [key, row] of batch) {
        const now = this.buffer.get(key);
        if (now) now.value += row.value;
        else this.buffer.set(key, row);
      }
      this.log.warn({ err, events: batch.size }, 'engagement: counts not written, retrying shortly');
      if (!this.closed) this.startTimer();
      return false;
    }
  }
}

/**
 * The calendar day of an instant in `timeZone`, remembered per quarter of an hour: every time zone
 * in use changes its offset, hence its date, on a quarter-hour, so the answer is exact, and a batch
 * of events costs a lookup each instead of a date formatting each.
 */
export function quarterHourDays(timeZone: string): (d: Date) => string {
  const format = dayFormatter(timeZone);
  const known = new Map<number, string>();
  return (d: Date) => {
    const quarter = Math.floor(d.getTime() / 900_000);
    let day = known.get(quarter);
    if (day === undefined) {
      if (known.size >= 100_000) known.clear(); // nearly three years of quarters (a few MB): a history import stays in it
      day = format(new Date(quarter * 900_000));
      known.set(quarter, day);
    }
    return day;
  };
}

function toRow(e: EngagementEvent, at: Date, day: string, value: number): EventRow {
  return {
    occurred_at: toDbTime(at),
    day,
    article_id: e.articleId ?? null,
    publication_id: e.publicationId ?? null,
    campaign_id: e.campaignId ?? null,
    channel: e.channel,
    kind: e.kind,
    source: e.source ?? '',
    value,
    demo: e.demo ?? false,
  };
}

const dayCaches = new Map<string, (d: Date) => string>();
function daysFor(timeZone: string): (d: Date) => string {
  let f = dayCaches.get(timeZone);
  if (!f) dayCaches.set(timeZone, (f = quarterHourDays(timeZone)));
  return f;
}

/**
 * Writes events straight away, without the buffer: the demo's history and the ingestion
 * benchmark (`npm run bench:engagement`, and the dashboard's `npm run bench:stats`).
 */
export async function ingestEvents(repo: EngagementRepository, events: EngagementEvent[], timeZone: string, now: Date = new Date()): Promise<number> {
  const dayOf = daysFor(timeZone);
  const rows: EventRow[] = [];
  for (const e of events) {
    const value = Math.trunc(e.value ?? 1);
    if (!value) continue;
    const at = e.at ?? now;
    rows.push(toRow(e, at, dayOf(at), value));
  }
  await repo.insert(rows);
  return rows.length;
}
