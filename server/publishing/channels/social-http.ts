import { outcome, type PublishOutcome } from './channel-adapter';

/**
 * Small pieces shared by the adapters that speak to a network over plain HTTP (Mastodon,
 * Facebook): waiting with the abort signal, a transport failure as an outcome, and a reset time
 * read from a header.
 */

/** Waits `ms`, or less if the call is aborted (the engine's timeout). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A request that never got an answer: timed out (aborted) or the network was unreachable. Both
 * are passing; whether the post went out is settled by an idempotency key or by findSent.
 */
export function transportFailure(err: unknown): PublishOutcome {
  const name = (err as { name?: string } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError' ? outcome.transient('network.timeout') : outcome.transient('network.unreachable');
}

/** Runs a request; a thrown transport error becomes the matching outcome. */
export async function attempt<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; outcome: PublishOutcome }> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    return { ok: false, outcome: transportFailure(err) };
  }
}

const MIN_WAIT_MS = 60_000;
const MAX_WAIT_MS = 24 * 3600_000;

/**
 * The reset time a network gives (an ISO date as Mastodon sends it, or seconds since 1970), kept
 * between a minute and a day from now: a wrong clock on either side never holds an account for
 * weeks, nor retries it at once.
 */
export function resetTime(header: string | null, now: Date, fallbackMs: number): Date {
  let at: number | null = null;
  if (header) {
    const trimmed = header.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) at = Number(trimmed) * 1000;
    else if (!Number.isNaN(Date.parse(trimmed))) at = Date.parse(trimmed);
  }
  const wait = at === null ? fallbackMs : at - now.getTime();
  return new Date(now.getTime() + Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, wait)));
}
