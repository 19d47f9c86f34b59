import type { Container } from './container';
import { holderIsDeadHere } from './jobs/job-runner';

const STARTUP_LEASE = 'startup';
// Long enough for the demo's first load on a slow machine; a holder that dies frees it at once
// on the same machine, or when it expires on another.
const LEASE_MS = 120_000;
const WAIT_MS = 180_000;

/**
 * Runs the once-per-database start work (first administrator, demo commune, unfinished images)
 * while holding a lease in the database: two instances started at the same moment on an empty
 * database both come up, and the work is done once. The other instance waits, then finds it done.
 */
export async function underStartupLock<T>(c: Container, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    if (await c.jobsRepo.acquireLease(STARTUP_LEASE, c.instance, new Date(), LEASE_MS)) break;
    const current = await c.jobsRepo.leaseHolder(STARTUP_LEASE);
    if (current?.holder && holderIsDeadHere(current.holder) && (await c.jobsRepo.stealLease(STARTUP_LEASE, current.holder, c.instance, new Date(), LEASE_MS)))
      break;
    if (Date.now() > deadline) throw new Error('another Crieur instance has held the start-up lock for too long');
    await new Promise((r) => setTimeout(r, 200));
  }
  // Renewed while the work runs, as job leases are: a slow first load must not let another
  // instance take the lease and run the same work beside it.
  const heartbeat = setInterval(() => {
    c.jobsRepo.extendLease(STARTUP_LEASE, c.instance, new Date(Date.now() + LEASE_MS)).catch(() => undefined);
  }, LEASE_MS / 3);
  heartbeat.unref();
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    await c.jobsRepo.releaseLease(STARTUP_LEASE, c.instance, new Date()).catch(() => undefined);
  }
}
