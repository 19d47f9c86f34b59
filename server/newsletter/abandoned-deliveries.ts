import { holderIsDeadHere } from '../jobs/job-runner';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { DeliveriesRepository } from './deliveries.repository';
import type { SenderOptions } from './campaign-sender.types';

/**
 * Rows left `sending` by a dead process (here at once, elsewhere after the timeout) become
 * unknown: nobody can know whether the server took them, so they are reported, never sent again.
 */
export async function recoverAbandoned(
  deps: { repo: DeliveriesRepository; clock: Clock; log: Logger; opts: SenderOptions },
  campaignId: number,
): Promise<number> {
  const { repo, opts } = deps;
  const now = deps.clock.now().getTime();
  const byHolder = new Map<string | null, number[]>();
  for (const d of await repo.inFlight(campaignId)) {
    const mine = d.claimedBy === opts.instance;
    const dead = !!d.claimedBy && !mine && holderIsDeadHere(d.claimedBy);
    const old = (d.claimedAt?.getTime() ?? 0) < now - opts.sendingTimeoutMs;
    // This process's own rows are never abandoned: a batch settles them before it ends.
    if (mine || (!dead && !old)) continue;
    byHolder.set(d.claimedBy, [...(byHolder.get(d.claimedBy) ?? []), d.id]);
  }
  let n = 0;
  for (const [holder, ids] of byHolder) n += await repo.markUnknown(ids, holder);
  if (n) deps.log.warn({ campaignId, unknown: n }, 'deliveries cut short by a crash are reported as unknown, not sent again');
  return n;
}
