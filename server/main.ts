import type { Server } from 'node:http';
import { loadEnvFile } from './env-file';
import { ConfigError, loadConfig } from './config';
import { createContainer, migrate } from './container';
import { createApp } from './app';
import { loadDemoIfEmpty } from './demo/demo.service';

/** `npm start`: migrate, load the demo on an empty database, create the first admin, serve. */
async function main(): Promise<void> {
  const startedAt = performance.now();
  let config;
  try {
    loadEnvFile();
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const c = createContainer(config);
  await migrate(c);

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

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    c.log.info({ signal }, 'stopping');
    server.close(() => {
      c.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
    // Keep-alive connections would hold close() forever.
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  console.error('Crieur n’a pas pu démarrer :', err);
  process.exit(1);
});
