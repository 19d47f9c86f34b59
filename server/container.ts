import path from 'node:path';
import type { Knex } from 'knex';
import type { Config } from './config';
import { systemClock, type Clock } from './clock';
import { createKnex, migrateLatest } from './db/knex';
import { createLogger, type Logger } from './logger';
import { resolveSecretKey } from './secret-key';
import { AuditRepository } from './audit/audit.repository';
import { UsersRepository } from './auth/users.repository';
import { TokensRepository } from './auth/tokens.repository';
import { ThrottleRepository } from './auth/throttle.repository';
import { LoginThrottle } from './auth/login-throttle';
import { AuthService } from './auth/auth.service';
import { UsersService } from './auth/users.service';
import { Mailer } from './mail/mailer';
import { OutboxRepository } from './mail/outbox.repository';
import { OutboxService } from './mail/outbox.service';
import { SettingsRepository } from './settings/settings.repository';
import { SettingsService } from './settings/settings.service';
import { MediaService } from './media/media.service';
import { ArticlesService } from './articles/articles.service';

/**
 * The composition root: every long-lived object is built here, once, and handed to whoever needs
 * it. Tests build the same container with a fresh database and a fake clock.
 */
export interface Container {
  config: Config;
  secretKey: string;
  db: Knex;
  clock: Clock;
  log: Logger;
  mailer: Mailer;
  audit: AuditRepository;
  outbox: OutboxService;
  settings: SettingsService;
  auth: AuthService;
  users: UsersService;
  usersRepo: UsersRepository;
  media: MediaService;
  articles: ArticlesService;
  close(): Promise<void>;
}

export function createContainer(config: Config, overrides: { clock?: Clock; log?: Logger } = {}): Container {
  const clock = overrides.clock ?? systemClock;
  const log = overrides.log ?? createLogger(config.logLevel);
  const secretKey = resolveSecretKey(config.secretKey, config.dataDir);
  const db = createKnex(config);

  const audit = new AuditRepository(db);
  const mailer = new Mailer({ smtpUrl: config.smtpUrl, from: config.smtpFrom, mailboxDir: path.join(config.dataDir, 'mailbox') }, log.child({ module: 'mail' }));
  const outbox = new OutboxService(new OutboxRepository(db), mailer, clock, log.child({ module: 'outbox' }));
  const settings = new SettingsService(db, new SettingsRepository(db), audit, clock);
  const usersRepo = new UsersRepository(db);
  const tokens = new TokensRepository(db);
  const throttle = new LoginThrottle(new ThrottleRepository(db), clock, secretKey);
  const auth = new AuthService(db, usersRepo, tokens, throttle, audit, settings, clock);
  const users = new UsersService(db, usersRepo, tokens, auth, audit, outbox, settings, clock, config.baseUrl);
  const media = new MediaService();
  const articles = new ArticlesService();

  return {
    config,
    secretKey,
    db,
    clock,
    log,
    mailer,
    audit,
    outbox,
    settings,
    auth,
    users,
    usersRepo,
    media,
    articles,
    async close() {
      await outbox.idle();
      mailer.close();
      await db.destroy();
    },
  };
}

export async function migrate(c: Container): Promise<void> {
  await migrateLatest(c.db);
}
