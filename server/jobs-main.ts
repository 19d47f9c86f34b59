import { loadConfigOrExit } from './startup-config';
import { createContainer, migrate, type Container } from './container';
import { Scheduler } from './jobs/scheduler';
import { scrubText } from './http/log-safety';
// Entry point, like main.ts: it may know the job list in jobs/.
import { ALL_JOBS } from '../jobs';

/** `npm run jobs`: the scheduled jobs alone, without the web server (pair with JOBS_ENABLED=false on web instances). */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const c = createContainer(config);
  await migrate(c);
  const scheduler = new Scheduler<Container>(c.jobRunner, c, c.log.child({ module: 'scheduler' }));
  scheduler.start(ALL_JOBS);
  console.log(`Crieur : tâches planifiées démarrées (${ALL_JOBS.map((j) => j.name).join(', ')}).`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    c.log.info({ signal }, 'stopping jobs');
    // The dispatcher stops taking publications at once; those in flight finish and are recorded.
    Promise.all([c.dispatcher.stop(), scheduler.stop()])
      .then(() => c.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
    setTimeout(() => process.exit(1), 25_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  console.error('Les tâches de Crieur n’ont pas pu démarrer :', scrubText(err instanceof Error ? (err.stack ?? err.message) : String(err)));
  process.exit(1);
});
