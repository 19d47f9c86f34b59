import os from 'node:os';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { JobsRepository } from './jobs.repository';

export interface JobDefinition<C> {
  name: string;
  /** node-cron expression (with seconds when it has six fields). */
  schedule: (c: C) => string;
  /** Does the work; returns a short summary for the run history. */
  run: (c: C) => Promise<unknown>;
}

export type RunResult = { ran: false; reason: 'lease-held' | 'stopping' } | { ran: true; ok: boolean; detail: string; runId: number };

// Short, and renewed every third of it while a job runs: an instance that dies frees its jobs
// within a minute even on another machine.
const LEASE_MS = 60_000;

/**
 * The one wrapper every job goes through: it takes the job's lease in the database so that two
 * instances never run the same job at once, records the run (start, end, outcome, summary),
 * logs, and never lets an error escape silently.
 */
export class JobRunner<C> {
  private stopping = false;
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly repo: JobsRepository,
    private readonly container: C,
    private readonly clock: Clock,
    private readonly log: Logger,
    readonly instance: string,
  ) {}

  async run(job: JobDefinition<C>, trigger: 'schedule' | 'manual' = 'schedule'): Promise<RunResult> {
    if (this.stopping) return { ran: false, reason: 'stopping' };
    if (!(await this.takeLease(job.name))) return { ran: false, reason: 'lease-held' };
    const started = performance.now();
    const runId = await this.repo.startRun({ name: job.name, instance: this.instance, trigger }, this.clock.now());
    // Long runs keep their lease alive; the lease uses the real clock because other instances do.
    const heartbeat = setInterval(() => {
      this.repo
        .extendLease(job.name, this.instance, new Date(Date.now() + LEASE_MS))
        .catch((err) => this.log.warn({ err, job: job.name }, 'lease extension failed'));
    }, LEASE_MS / 3);
    heartbeat.unref();
    const work = (async (): Promise<RunResult> => {
      try {
        const result = await job.run(this.container);
        const detail = result === undefined ? '' : JSON.stringify(result);
        await this.repo.finishRun(runId, 'ok', detail, this.clock.now(), performance.now() - started);
        this.log.info({ job: job.name, ms: Math.round(performance.now() - started), result }, 'job done');
        return { ran: true, ok: true, detail, runId };
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        this.log.error({ err, job: job.name }, 'job failed');
        await this.repo.finishRun(runId, 'error', detail, this.clock.now(), performance.now() - started).catch(() => undefined);
        return { ran: true, ok: false, detail, runId };
      } finally {
        clearInterval(heartbeat);
        await this.repo.releaseLease(job.name, this.instance, new Date()).catch(() => undefined);
      }
    })();
    this.running.add(work);
    try {
      return await work;
    } finally {
      this.running.delete(work);
    }
  }

  private async takeLease(name: string): Promise<boolean> {
    if (await this.repo.acquireLease(name, this.instance, new Date(), LEASE_MS)) return true;
    // A restart after a crash on the same machine need not wait for the lease to expire: the
    // holder's process id is in its name, and a dead process holds nothing.
    const current = await this.repo.leaseHolder(name);
    if (current?.holder && holderIsDeadHere(current.holder)) {
      this.log.warn({ job: name, holder: current.holder }, 'taking over the lease of a dead process');
      return this.repo.stealLease(name, current.holder, this.instance, new Date(), LEASE_MS);
    }
    return false;
  }

  /** Takes no new run and waits for the current ones, which release their leases. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running]);
  }
}

/** Instance names are "<hostname>-<pid>-<random>" (see container.ts). */
export function holderIsDeadHere(holder: string): boolean {
  const m = /^(.*)-(\d+)-[0-9a-f]+$/.exec(holder);
  if (!m || m[1] !== os.hostname()) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
