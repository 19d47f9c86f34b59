import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting Crieur reads from the environment, validated once at start.
 * A wrong value stops the program with one line per problem, in words an administrator can act on.
 */
const EnvSchema = z.object({
  // TCP port the web server listens on.
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  // Public address of the site, used in e-mails, feeds and links sent outside (no trailing slash needed).
  BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  // Folder for everything the commune creates: database file, images, local mailbox. Never inside the source tree in production.
  DATA_DIR: z.string().min(1).default('./data'),
  // Empty: SQLite file under DATA_DIR. Otherwise a PostgreSQL URL (postgres://user:pass@host/db) or sqlite:/path/file.sqlite.
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|sqlite:)/, 'must start with postgres://, postgresql:// or sqlite:')
    .optional(),
  // Empty: e-mails go to the local mailbox under DATA_DIR, readable in the admin. Otherwise smtp://user:pass@host:port or smtps://…
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  // Sender of every e-mail; should be an address of the commune's own domain (SPF/DKIM alignment).
  SMTP_FROM: z.string().min(3).optional(),
  // Connections kept open to the SMTP server while a newsletter goes out.
  SMTP_POOL_SIZE: z.coerce.number().int().min(1).max(50).default(5),
  // DKIM: the signing domain (d=), usually the domain of SMTP_FROM. Signing happens only when the three DKIM_* are set.
  DKIM_DOMAIN: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'must be a domain name such as mairie-exemple.fr')
    .optional(),
  // DKIM: the selector (s=) under which the public key is published in DNS (selector._domainkey.domain).
  DKIM_SELECTOR: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'must be a DNS label such as crieur2026')
    .optional(),
  // DKIM: the RSA private key, as PEM text or as the path of a PEM file.
  DKIM_PRIVATE_KEY: z.string().min(1).optional(),
  // A mailto address added to the List-Unsubscribe header beside the https link (optional).
  NEWSLETTER_UNSUBSCRIBE_MAILTO: z.email().optional(),
  // Shared secret of the Brevo and Mailjet bounce/complaint webhooks (HTTP basic password or bearer token). Unset: webhooks refused.
  NEWSLETTER_WEBHOOK_SECRET: z.string().min(24, 'must be at least 24 characters long').optional(),
  // How often sending campaigns are looked at (node-cron, seconds field allowed); starting or resuming one also runs it at once.
  JOBS_NEWSLETTER_CRON: z.string().default('*/30 * * * * *'),
  // Key that signs sessions and encrypts stored secrets. At least 32 characters. Generated under DATA_DIR when empty.
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters long').optional(),
  // Time zone in which dates are shown and scheduled. Storage is always UTC.
  TZ: z
    .string()
    .default('Europe/Paris')
    .refine((tz) => isValidTimeZone(tz), 'is not a time zone name such as Europe/Paris'),
  // Creates the first administrator without printing a one-time password.
  CRIEUR_ADMIN_EMAIL: z.email().optional(),
  CRIEUR_ADMIN_PASSWORD: z.string().min(1).optional(),
  // Load the demo commune on the first start of an empty database (true by default, false for a real commune).
  CRIEUR_DEMO: z.enum(['true', 'false']).default('true'),
  // false: this instance serves pages only; another one (or `npm run jobs`) runs the scheduled jobs.
  JOBS_ENABLED: z.enum(['true', 'false']).default('true'),
  // How often due publications are looked for (node-cron, seconds field allowed).
  JOBS_DISPATCH_CRON: z.string().default('*/15 * * * * *'),
  // A publication is retried this many times for passing errors (timeouts, 5xx, 429) before it fails.
  PUBLISH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  // A publication found this many hours after its time (server down) waits for confirmation instead of going out stale.
  PUBLISH_STALE_AFTER_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 30)
    .default(6),
  // A publication still "sending" after this many seconds was interrupted by a crash and is marked uncertain.
  PUBLISH_SENDING_TIMEOUT_SECONDS: z.coerce.number().int().min(2).max(86_400).default(300),
  // Facebook's Graph API address; only tests and proxies change it.
  FACEBOOK_GRAPH_URL: z.url({ protocol: /^https?$/ }).optional(),
  // Where Bluesky posts' likes and reposts are read (the public AppView); tests point it at a stand-in.
  BLUESKY_APPVIEW_URL: z.url({ protocol: /^https?$/ }).optional(),
  // pino log level.
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // auto: one short line per request when the output is a terminal, JSON lines otherwise; pretty or json force one.
  LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
  NODE_ENV: z.string().default('development'),
});

export interface Config {
  port: number;
  baseUrl: string;
  dataDir: string;
  database: { client: 'sqlite3'; filename: string } | { client: 'pg'; connection: string };
  smtpUrl?: string;
  smtpFrom: string;
  secretKey?: string;
  timeZone: string;
  admin: { email?: string; password?: string };
  demo: boolean;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  logFormat: z.infer<typeof EnvSchema>['LOG_FORMAT'];
  production: boolean;
  jobs: { enabled: boolean; dispatchCron: string; outboxCron: string; metricsCron: string };
  newsletter: {
    poolSize: number;
    dkim?: { domainName: string; keySelector: string; privateKey: string };
    unsubscribeMailto?: string;
    webhookSecret?: string;
    cron: string;
    batchSize: number;
    maxAttempts: number;
    retryBaseMs: number;
    maxConsecutiveErrors: number;
  };
  publishing: { maxAttempts: number; staleAfterMs: number; sendingTimeoutMs: number; adapterTimeoutMs: number; retryBaseMs: number; concurrency: number };
  /** Secure cookies only when the public address is https. */
  secureCookies: boolean;
  facebook: { graphUrl: string };
  bluesky: { appViewUrl: string };
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('fr-FR', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The three DKIM variables together, the key read from its file when a path is given. */
function dkimKey(domain?: string, selector?: string, key?: string): Config['newsletter']['dkim'] {
  if (!domain && !selector && !key) return undefined;
  if (!domain || !selector || !key) throw new ConfigError(['DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY must be set together']);
  let pem = key;
  if (!key.includes('-----BEGIN')) {
    try {
      pem = fs.readFileSync(key, 'utf8');
    } catch {
      throw new ConfigError(['DKIM_PRIVATE_KEY is neither a PEM key nor a readable file']);
    }
  }
  try {
    crypto.createPrivateKey(pem);
  } catch {
    throw new ConfigError(['DKIM_PRIVATE_KEY is not a valid private key (PEM)']);
  }
  return { domainName: domain, keySelector: selector, privateKey: pem };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable in .env means "not set", not "set to the empty string".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'} ${i.message}`));
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const baseUrl = (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const database: Config['database'] = !e.DATABASE_URL
    ? { client: 'sqlite3', filename: path.join(dataDir, 'crieur.sqlite') }
    : e.DATABASE_URL.startsWith('sqlite:')
      ? { client: 'sqlite3', filename: path.resolve(e.DATABASE_URL.slice('sqlite:'.length)) }
      : { client: 'pg', connection: e.DATABASE_URL };
  return {
    port: e.PORT,
    baseUrl,
    dataDir,
    database,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM ?? `Crieur <no-reply@${new URL(baseUrl).hostname}>`,
    secretKey: e.SECRET_KEY,
    timeZone: e.TZ,
    admin: { email: e.CRIEUR_ADMIN_EMAIL, password: e.CRIEUR_ADMIN_PASSWORD },
    demo: e.CRIEUR_DEMO === 'true',
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    production: e.NODE_ENV === 'production',
    secureCookies: baseUrl.startsWith('https:'),
    jobs: { enabled: e.JOBS_ENABLED === 'true', dispatchCron: e.JOBS_DISPATCH_CRON, outboxCron: '*/30 * * * * *', metricsCron: '0 */15 * * * *' },
    newsletter: {
      poolSize: e.SMTP_POOL_SIZE,
      dkim: dkimKey(e.DKIM_DOMAIN, e.DKIM_SELECTOR, e.DKIM_PRIVATE_KEY),
      unsubscribeMailto: e.NEWSLETTER_UNSUBSCRIBE_MAILTO ? `mailto:${e.NEWSLETTER_UNSUBSCRIBE_MAILTO}?subject=unsubscribe` : undefined,
      webhookSecret: e.NEWSLETTER_WEBHOOK_SECRET,
      cron: e.JOBS_NEWSLETTER_CRON,
      // At most this many deliveries are claimed at once: what a crash can leave unknown.
      batchSize: 100,
      maxAttempts: 5,
      retryBaseMs: 60_000,
      maxConsecutiveErrors: 20,
    },
    publishing: {
      maxAttempts: e.PUBLISH_MAX_ATTEMPTS,
      staleAfterMs: e.PUBLISH_STALE_AFTER_HOURS * 3600_000,
      sendingTimeoutMs: e.PUBLISH_SENDING_TIMEOUT_SECONDS * 1000,
      // An adapter call always ends well before a row counts as abandoned.
      adapterTimeoutMs: Math.min(60_000, Math.floor((e.PUBLISH_SENDING_TIMEOUT_SECONDS * 1000) / 2)),
      retryBaseMs: 60_000,
      concurrency: 4,
    },
    facebook: { graphUrl: (e.FACEBOOK_GRAPH_URL ?? 'https://graph.facebook.com').replace(/\/+$/, '') },
    bluesky: { appViewUrl: (e.BLUESKY_APPVIEW_URL ?? 'https://public.api.bsky.app').replace(/\/+$/, '') },
  };
}
