import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { Config } from '../config';

export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');

// A failed query's message would otherwise carry its bindings (an e-mail, a password hash) into
// whatever logs or prints the error; the SQL with its placeholders is enough to debug.
const SAFE_ERRORS = { compileSqlOnError: false } as const;

export function knexConfig(config: Pick<Config, 'database'>): Knex.Config {
  const migrations: Knex.MigratorConfig = {
    directory: MIGRATIONS_DIR,
    loadExtensions: ['.ts'],
    tableName: 'knex_migrations',
  };
  if (config.database.client === 'pg') {
    return { client: 'pg', connection: config.database.connection, pool: { min: 0, max: 10 }, migrations, ...SAFE_ERRORS };
  }
  return {
    client: 'sqlite3',
    connection: { filename: config.database.filename },
    useNullAsDefault: true,
    migrations,
    ...SAFE_ERRORS,
    pool: {
      min: 1,
      max: 1,
      // WAL lets readers go on while a write commits, and with synchronous=NORMAL a commit does not
      // wait for fsync (a power cut may lose the last commits, never corrupt the file).
      // Foreign keys are off by default in SQLite.
      afterCreate: (conn: { run: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, c: unknown) => void) => {
        conn.run('PRAGMA journal_mode = WAL', (e1) => {
          if (e1) return done(e1, conn);
          conn.run('PRAGMA foreign_keys = ON', (e2) => {
            if (e2) return done(e2, conn);
            conn.run('PRAGMA busy_timeout = 5000', (e3) => {
              if (e3) return done(e3, conn);
              // 32 MiB of page cache instead of SQLite's 2 MiB: the engagement events' indexes
              // take rows in no order, and with the small cache each batch re-read their pages
              // from the file (ingestion about a third faster, bench:stats).
              conn.run('PRAGMA synchronous = NORMAL', (e4) => (e4 ? done(e4, conn) : conn.run('PRAGMA cache_size = -32768', (e5) => done(e5, conn))));
            });
          });
        });
      },
    },
  };
}

export function createKnex(config: Pick<Config, 'database'>): Knex {
  if (config.database.client === 'sqlite3') {
    fs.mkdirSync(path.dirname(config.database.filename), { recursive: true });
  }
  return knexFactory(knexConfig(config));
}

// What another process migrating the same database at the same moment looks like: knex's own
// lock, or the race to create its bookkeeping tables.
const CONCURRENT_MIGRATION = /already locked|already exists|duplicate key|SQLITE_BUSY|database is locked/i;

/**
 * Applies the migrations. Two instances started together on an empty database both call this:
 * one migrates under knex's lock, the other waits for it (bounded) and then finds nothing to do.
 */
export async function migrateLatest(db: Knex, waitMs = 120_000): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await db.migrate.latest();
      return;
    } catch (err) {
      if (!CONCURRENT_MIGRATION.test(String((err as Error)?.message)) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
