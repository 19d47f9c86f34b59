import { createServer, type Server } from 'node:http';
import { loadConfigOrExit } from './startup-config';
import { createContainer, migrate } from './container';
import { createHandler } from './app';
import { loadDemoIfEmpty } from './demo/demo.service';
import { Scheduler } from './jobs/scheduler';
import type { Container } from './container';
import { underStartupLock } from './startup';
import { ValidationError } from './http/errors';
import { scrubText } from './http/log-safety';
import { PASSWORD_RULE } from './auth/password-policy';
import { interpolate } from './i18n/i18n';
import { usePretty } from './log-format';
import { startupBanner } from './startup-banner';
// The entry point is the composition root's last step: it may know the job list in jobs/.
import { ALL_JOBS } from '../jobs';
import * as dispatchPublications from '../jobs/dispatch-publications';
import * as sendCampaigns from '../jobs/send-campaigns';

/** `npm start`: migrate, load the demo on an empty database, create the first admin, serve. */
async function main(): Promise<void> {
  const startedAt = performance.now();
  const config = loadConfigOrExit();
  const c = createContainer(config);
  await migrate(c);
  const first = await underStartupLock(c, async () => {
    // Not awaited past the scan: variants are finished in the background while the site starts.
    await c.media.resumeUnfinished();
    const admin = await firstAdmin(c, config.admin.email ?? 'admin@crieur.localhost', config.admin.password);
    if (config.demo) await loadDemoIfEmpty(c);
    return admin;
  });

  // Jobs first, so that their start-up lines come before the banner rather than after it.
  const scheduler = config.jobs.enabled ? startJobs(c) : null;
  const server: Server = createServer(createHandler(c));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolve());
  });
  c.log.info({ port: config.port, ms: Math.round(performance.now() - startedAt) }, 'Crieur is listening');
  // Last of the start-up output, so that the address and the password are not lost among log lines.
  process.stdout.write(startupBanner({ baseUrl: config.baseUrl, first, pretty: usePretty(config.logFormat) }));

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

/** The first administrator; a refused CRIEUR_ADMIN_PASSWORD stops the start with one line. */
async function firstAdmin(c: Container, email: string, password: string | undefined) {
  try {
    return await c.auth.ensureFirstAdmin(email, password);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    console.error(`CRIEUR_ADMIN_PASSWORD est refusé : ${interpolate(err.message, err.vars)} Règle : ${PASSWORD_RULE}`);
    process.exit(2);
  }
}

export function startJobs(c: Container): Scheduler<Container> {
  const scheduler = new Scheduler<Container>(c.jobRunner, c, c.log.child({ module: 'scheduler' }));
  scheduler.start(ALL_JOBS);
  // "Publier maintenant" reaches the site at once, not at the next tick. An instance that runs
  // no jobs (JOBS_ENABLED=false) cannot wake another process: there the tick sends it.
  c.publishingEvents.on('due', () => scheduler.runNow(dispatchPublications.name));
  // A campaign started or resumed goes out at once, not at the next tick.
  c.campaignSender.onWake(() => scheduler.runNow(sendCampaigns.name));
  return scheduler;
}

main().catch((err) => {
  // Printed, not logged, but just as kept: scrubbed like a log line (no hash, no bindings).
  console.error('Crieur n’a pas pu démarrer :', scrubText(err instanceof Error ? (err.stack ?? err.message) : String(err)));
  process.exit(1);
});
