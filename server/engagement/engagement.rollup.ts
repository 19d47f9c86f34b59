import type { Clock } from '../clock';
import { toDbTime } from '../db/dialect';
import { addDays, dayFormatter, monthsBefore } from '../audience/audience.days';
import type { EngagementRepository } from './engagement.repository';
import type { EngagementStore } from './engagement.store';
import type { EngagementEvent } from './engagement.types';

/** Raw events are kept this long unless the settings say otherwise (CNIL: 25 months at most). */
export const DEFAULT_RETENTION_MONTHS = 25;

export interface RollupDeps {
  repo: EngagementRepository;
  store: EngagementStore;
  clock: Clock;
  timeZone: string;
  /** The retention chosen in the settings, in months. */
  retentionMonths: () => Promise<number>;
}

/**
 * The nightly work on the events: daily totals for finished Europe/Paris days (the rollup), and
 * the deletion of raw events past the retention (the purge). Totals are kept: the dashboard's
 * history outlives the raw events.
 */
export class EngagementRollup {
  private readonly dayOf: (d: Date) => string;

  constructor(private readonly d: RollupDeps) {
    this.dayOf = dayFormatter(d.timeZone);
  }

  /**
   * Totals of every finished day not rolled up yet, and yesterday's again (counts recorded
   * just before midnight and written after a rollup are then included).
   */
  async rollUp(): Promise<{ days: number; rows: number }> {
    await this.d.store.flush();
    const today = this.dayOf(this.d.clock.now());
    const fresh = await this.d.repo.daysToRollUp(today);
    const yesterday = addDays(today, -1);
    // The report counts the days totalled for the first time; yesterday's refresh is routine.
    const at = toDbTime(this.d.clock.now());
    const rows = await this.d.repo.rollUpDays(fresh, at);
    if (!fresh.includes(yesterday)) await this.d.repo.rollUpDay(yesterday, at);
    return { days: fresh.length, rows };
  }

  /** Replaces one day's totals (idempotent). */
  rollUpDay(day: string): Promise<number> {
    return this.d.repo.rollUpDay(day, toDbTime(this.d.clock.now()));
  }

  /**
   * Corrections of past days, reported late (a copy that bounced after it was counted as
   * delivered): written at once on the day they correct, which is totalled again if it is over,
   * so that the dashboard sees them wherever it reads that day from. A correction of a day whose
   * raw events are already purged would leave only itself in that day's totals: it is dated today.
   */
  async correct(events: EngagementEvent[]): Promise<void> {
    const now = this.d.clock.now();
    const today = this.dayOf(now);
    const keptFrom = await this.keptFrom();
    const dated = events.map((e) => (e.at && this.dayOf(e.at) >= keptFrom ? e : { ...e, at: now }));
    await this.d.store.flush();
    await this.d.store.ingest(dated);
    const past = new Set(dated.map((e) => this.dayOf(e.at ?? now)).filter((day) => day < today));
    for (const day of [...past].sort()) await this.rollUpDay(day);
  }

  /** The first day whose raw events are kept today. */
  async keptFrom(): Promise<string> {
    const months = await this.d.retentionMonths();
    return monthsBefore(this.dayOf(this.d.clock.now()), months);
  }

  /** Deletes raw events older than the retention, after making sure their days are rolled up. */
  async purge(): Promise<{ rolledUp: number; events: number }> {
    await this.d.store.flush();
    const from = await this.keptFrom();
    const pending = await this.d.repo.daysToRollUp(from);
    await this.d.repo.rollUpDays(pending, toDbTime(this.d.clock.now()));
    return { rolledUp: pending.length, events: await this.d.repo.purgeBefore(from) };
  }
}
