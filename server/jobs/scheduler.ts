import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../logger';
import type { JobDefinition, JobRunner } from './job-runner';

/** Starts node-cron tasks for the given jobs; each firing goes through the runner (lease, record). */
export class Scheduler<C> {
  private readonly tasks: ScheduledTask[] = [];
  private readonly jobs = new Map<string, JobDefinition<C>>();
  // Per job: a run asked for now is under way; `true` when another was asked for meanwhile.
  private readonly urgent = new Map<string, boolean>();

  constructor(
    private readonly runner: JobRunner<C>,
    private readonly container: C,
    private readonly log: Logger,
  ) {}

  start(jobs: JobDefinition<C>[]): void {
    for (const job of jobs) {
      this.jobs.set(job.name, job);
      const expr = job.schedule(this.container);
      const task = cron.schedule(
        expr,
        async () => {
          try {
            await this.runner.run(job, 'schedule');
          } catch (err) {
            this.log.error({ err, job: job.name }, 'job could not start');
          }
        },
        { name: job.name, noOverlap: true },
      );
      this.tasks.push(task);
    }
    this.log.info({ jobs: jobs.map((j) => j.name) }, 'scheduler started');
  }

  /**
   * Runs a job now, outside its schedule (the dispatcher when a publication becomes due now).
   * Asks that arrive while such a run is under way make one more run after it, not one each:
   * the first run may have looked for due work just before the new one was committed.
   */
  runNow(name: string): void {
    const job = this.jobs.get(name);
    if (!job) return;
    if (this.urgent.has(name)) {
      this.urgent.set(name, true);
      return;
    }
    this.urgent.set(name, false);
    void (async () => {
      try {
        do {
          this.urgent.set(name, false);
          await this.runner.run(job, 'schedule');
        } while (this.urgent.get(name));
      } catch (err) {
        this.log.error({ err, job: name }, 'job could not start');
      } finally {
        this.urgent.delete(name);
      }
    })();
  }

  async stop(): Promise<void> {
    await Promise.all(this.tasks.map((t) => t.stop()));
    await this.runner.stop();
  }
}
