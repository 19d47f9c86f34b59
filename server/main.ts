import type { Server } from 'node:http';
import { loadConfigOrExit } from './startup-config';
import { createContainer, migrate } from './container';
import { createApp } from './app';
import { loadDemoIfEmpty } from './demo/demo.service';
import { Scheduler } from './jobs/scheduler';
import type { Container } from './container';
// The entry point is the composition root's last step: it may know the job list in jobs/.
import { ALL_JOBS } from '../jobs';

/** `npm start`: migrate, load the demo on an empty database, create the first admin, serve. */
async function main(): Promise<void> {
  const startedAt = performance.now();
  const config = loadConfigOrExit();
  const c = createContainer(config);
  await migrate(c);
  // Not awaited past the scan: variants are finished in the background while the site starts.
  await c.media.resumeUnfinished();

  const email = config.admin.email ?? 'admin@crieur.localhost';
  const first = await c.auth.ensureFirstAdmin(email, config.admin.password);
  if (config.demo) await loadDemoIfEmpty(c);

  const app = createApp(c);
  const server: Server = app.listen(config.port, () => {
    const ms = Math.round(performance.now() - startedAt);
    c.log.info({ port: config.port, ms }, 'Crieur is listening');
    console.log(`\nCrieur est prêt : ${config.baseUrl}/  (administration : ${config.baseUrl}/admin)`);
    if (first?.generatedPassword) {
      console.log('\n  Premier compte administrateur créé. Notez ce mot de passe, il ne sera plus affiché :');
      console.log(`    e-mail       : ${first.user.email}`);
      console.log(`    mot de passe : ${first.generatedPassword}\n`);
    } else if (first) {
      console.log(`\n  Premier compte administrateur créé : ${first.user.email}\n`);
    }
  });

  const scheduler = config.jobs.enabled ? startJobs(c) : null;

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    c.log.info({ signal }, 'stopping: no new requests or jobs, finishing current work');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections would hold close() forever.
    server.closeIdleConnections();
    // The dispatcher stops taking publications at once; those in flight finish and are recorded.
    Promise.all([closed, c.dispatcher.stop(), scheduler?.stop()])
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

export function startJobs(c: Container): Scheduler<Container> {
  const scheduler = new Scheduler<Container>(c.jobRunner, c, c.log.child({ module: 'scheduler' }));
  scheduler.start(ALL_JOBS);
  return scheduler;
}

main().catch((err) => {
  console.error('Crieur n’a pas pu démarrer :', err);
  process.exit(1);
});
