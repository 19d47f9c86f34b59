import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../logger';
import type { JobDefinition, JobRunner } from './job-runner';

/** Starts node-cron tasks for the given jobs; each firing goes through the runner (lease, record). */
export class Scheduler<C> {
  private readonly tasks: ScheduledTask[] = [];

  constructor(
    private readonly runner: JobRunner<C>,
    private readonly container: C,
    private readonly log: Logger,
  ) {}

  start(jobs: JobDefinition<C>[]): void {
    for (const job of jobs) {
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

  async stop(): Promise<void> {
    await Promise.all(this.tasks.map((t) => t.stop()));
    await this.runner.stop();
  }
}
