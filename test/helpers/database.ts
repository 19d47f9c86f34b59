import crypto from 'node:crypto';
import knexFactory from 'knex';

/**
 * When DATABASE_URL points at PostgreSQL, every test file gets a database of its own, created
 * here and dropped at the end, so that files can run in parallel; otherwise a SQLite file in the
 * test's temporary folder.
 */
export async function testDatabaseUrl(dir: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = process.env.DATABASE_URL;
  if (!admin || !/^postgres(ql)?:\/\//.test(admin)) {
    return { url: `sqlite:${dir}/crieur.sqlite`, drop: async () => {} };
  }
  const name = `crieur_test_${crypto.randomBytes(6).toString('hex')}`;
  const root = knexFactory({ client: 'pg', connection: admin, pool: { min: 0, max: 1 } });
  await root.raw(`CREATE DATABASE ${name}`);
  await root.destroy();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const r = knexFactory({ client: 'pg', connection: admin, pool: { min: 0, max: 1 } });
      await r.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await r.destroy();
    },
  };
}
