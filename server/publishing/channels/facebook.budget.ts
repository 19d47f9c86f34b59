import { usageOf } from './facebook.graph';

const HOUR_MS = 3600_000;

/**
 * The Graph call budget of each Page, counted in this process. An app in development mode may
 * make about 200 calls an hour per Page (PEERS/Meta's documentation): figures take at most
 * `metricsPerHour` of them, so that posting always finds room, and stop for the hour as soon as
 * Graph's usage headers say the app or the Page is past `pauseAtPercent`.
 */
export class GraphBudget {
  private readonly calls = new Map<string, number[]>();
  private readonly pausedUntil = new Map<string, number>();

  constructor(private readonly opts: { metricsPerHour: number; pauseAtPercent: number }) {}

  /** Every answer of Graph for this Page, whatever it was for. */
  answered(page: string, headers: Headers, now: Date): void {
    const t = now.getTime();
    const list = this.recent(page, t);
    list.push(t);
    this.calls.set(page, list);
    if (usageOf(headers).percent >= this.opts.pauseAtPercent) this.pausedUntil.set(page, t + HOUR_MS);
  }

  /** Whether `n` more calls for figures fit in this hour. */
  allows(page: string, n: number, now: Date): boolean {
    const t = now.getTime();
    if ((this.pausedUntil.get(page) ?? 0) > t) return false;
    return this.recent(page, t).length + n <= this.opts.metricsPerHour;
  }

  private recent(page: string, t: number): number[] {
    return (this.calls.get(page) ?? []).filter((at) => t - at < HOUR_MS);
  }
}
