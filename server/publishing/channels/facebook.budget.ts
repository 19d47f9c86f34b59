import type { AccountStatePort } from './channel-adapter';
import { usageOf } from './facebook.graph';

const HOUR_MS = 3600_000;

/** What the budget keeps in the account's state (`ports.accountState`), under `graphBudget`. */
interface Kept {
  /** When each Graph call of the last hour was answered (ms since 1970). */
  calls: number[];
  /** No call for figures before this time (the usage headers passed the threshold). */
  pausedUntil: number;
  /** Insights refused (permission not granted, metric retired): not asked again before this time. */
  insightsUntil: number;
}

function keptOf(state: Record<string, unknown>): Kept {
  const k = (state.graphBudget ?? {}) as Partial<Kept>;
  return {
    calls: Array.isArray(k.calls) ? k.calls.filter((n): n is number => typeof n === 'number') : [],
    pausedUntil: typeof k.pausedUntil === 'number' ? k.pausedUntil : 0,
    insightsUntil: typeof k.insightsUntil === 'number' ? k.insightsUntil : 0,
  };
}

/**
 * The Graph call budget of each Page, kept in the database with the account (its adapter state),
 * so that every process calling Graph for the Page (the web server testing the connection, the
 * job runner posting and fetching figures, another machine) counts against the same hour. An app
 * in development mode may make about 200 calls an hour per Page (Meta's documentation): figures
 * take at most `metricsPerHour` of them, so that posting always finds room, and stop for the hour
 * as soon as Graph's usage headers say the app or the Page is past `pauseAtPercent`.
 */
export class GraphBudget {
  constructor(private readonly opts: { metricsPerHour: number; pauseAtPercent: number }) {}

  /** Every answer of Graph for this Page, whatever it was for. */
  async answered(store: AccountStatePort, headers: Headers, now: Date): Promise<void> {
    const t = now.getTime();
    const pause = usageOf(headers).percent >= this.opts.pauseAtPercent;
    await store.update((state) => {
      const k = keptOf(state);
      const calls = [...k.calls.filter((at) => t - at < HOUR_MS), t];
      return { ...state, graphBudget: { ...k, calls, pausedUntil: pause ? t + HOUR_MS : k.pausedUntil } };
    });
  }

  /** Whether `n` more calls for figures fit in this hour. */
  async allows(store: AccountStatePort, n: number, now: Date): Promise<boolean> {
    const t = now.getTime();
    const k = keptOf(await store.get());
    if (k.pausedUntil > t) return false;
    return k.calls.filter((at) => t - at < HOUR_MS).length + n <= this.opts.metricsPerHour;
  }

  /** Whether the Page's insights are worth asking now (not refused within the last day). */
  async insightsWanted(store: AccountStatePort, now: Date): Promise<boolean> {
    return keptOf(await store.get()).insightsUntil <= now.getTime();
  }

  async insightsRefused(store: AccountStatePort, until: Date): Promise<void> {
    await store.update((state) => ({ ...state, graphBudget: { ...keptOf(state), insightsUntil: until.getTime() } }));
  }
}
