import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import { createContainer, migrate, type Container } from '../server/container';
import { csrfFrom } from './helpers/context';
import { testDatabaseUrl } from './helpers/database';
import { isPostgres } from '../server/db/dialect';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'server/cli/cli.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function crieur(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          DATA_DIR: dataDir,
          CRIEUR_DEMO: 'false',
          LOG_LEVEL: 'silent',
          TZ: 'UTC',
          BASE_URL: 'http://crieur.test',
          ...env,
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

async function logIn(c: Container, email: string, password: string): Promise<number> {
  const agent = request.agent(createApp(c));
  const page = await agent.get('/admin/login');
  const res = await agent
    .post('/admin/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email, password });
  return res.status;
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-cli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function openContainer(): Container {
  const config = loadConfig({ DATA_DIR: dir, CRIEUR_DEMO: 'false', LOG_LEVEL: 'silent', BASE_URL: 'http://crieur.test' });
  return createContainer(config, { log: pino({ level: 'silent' }) });
}

describe('the command line', () => {
  it('creates an account, resets its password, and the printed password logs in', async () => {
    const added = await crieur(dir, ['user:add', '--email', 'x@y.fr', '--role', 'editor', '--password', 'Lune-Verte-Sur-Le-Toit-42!', '--name', 'Xavier']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('Compte créé : x@y.fr (editor).');

    const reset = await crieur(dir, ['user:reset-password', '--email', 'x@y.fr']);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('Mot de passe remplacé pour x@y.fr.');
    const generated = /Nouveau mot de passe \(affiché une seule fois\) : (\S+)/.exec(reset.stdout)?.[1];
    expect(generated).toBeDefined();

    const c = openContainer();
    try {
      await migrate(c);
      expect(await logIn(c, 'x@y.fr', generated as string)).toBe(302);
      expect(await logIn(c, 'x@y.fr', 'Lune-Verte-Sur-Le-Toit-42!')).toBe(401);
      const { rows } = await c.audit.list({ limit: 10, offset: 0 });
      expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['user.created', 'user.password_reset']));
    } finally {
      await c.close();
    }
  });

  it('prints a generated password when none is given, and it logs in', async () => {
    const added = await crieur(dir, ['user:add', '--email', 'admin@y.fr', '--role', 'admin']);
    expect(added.code).toBe(0);
    const generated = /Mot de passe \(affiché une seule fois\) : (\S+)/.exec(added.stdout)?.[1];
    const c = openContainer();
    try {
      expect(await logIn(c, 'admin@y.fr', generated as string)).toBe(302);
    } finally {
      await c.close();
    }
  });

  it('answers exit code 2 with the usage for a wrong role or missing arguments', async () => {
    const wrongRole = await crieur(dir, ['user:add', '--email', 'z@y.fr', '--role', 'maire']);
    expect(wrongRole.code).toBe(2);
    expect(wrongRole.stderr).toContain('Rôle inconnu « maire »');
    expect(wrongRole.stderr).toContain('Utilisation : npm run crieur -- <commande> [options]');

    const missing = await crieur(dir, ['user:add', '--email', 'z@y.fr']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('user:add demande --email et --role.');
    expect(missing.stderr).toContain('Utilisation');

    const unknownOption = await crieur(dir, ['user:reset-password', '--mail', 'x@y.fr']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain('Utilisation');

    const nothing = await crieur(dir, []);
    expect(nothing.code).toBe(2);
    expect(nothing.stdout + nothing.stderr).toContain('Utilisation');
    // Four processes, each starting Node and tsx: seconds each on a loaded machine.
  }, 120_000);

  it('answers exit code 1 with the password policy for a weak password, and creates nothing', async () => {
    const weak = await crieur(dir, ['user:add', '--email', 'faible@y.fr', '--role', 'editor', '--password', 'azerty']);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('Ce mot de passe n’a que 6 caractères : il en faut au moins 12');
    const c = openContainer();
    try {
      expect(await c.usersRepo.findByEmail('faible@y.fr')).toBeNull();
    } finally {
      await c.close();
    }
  });

  it('prints a database’s refusal without the password hash it was writing', async () => {
    // On this suite's database (PostgreSQL in CI's second pass): PostgreSQL's refusal carries the
    // row it refused, new hash included ("Failing row contains …").
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-cli-'));
    const database = await testDatabaseUrl(own);
    const env = { DATA_DIR: own, DATABASE_URL: database.url };
    try {
      expect((await crieur(own, ['user:add', '--email', 'z@y.fr', '--role', 'admin', '--password', 'Lune-Verte-Sur-Le-Toit-42!'], env)).code).toBe(0);
      const c = createContainer(loadConfig({ ...env, CRIEUR_DEMO: 'false', LOG_LEVEL: 'silent' }), { log: pino({ level: 'silent' }) });
      try {
        // The database refuses every change to an account (a constraint added by hand, a full disk…).
        if (isPostgres(c.db)) await c.db.raw('alter table users add constraint accounts_frozen check (id < 0) not valid');
        else await c.db.raw("create trigger accounts_frozen before update on users begin select raise(abort, 'accounts_frozen'); end");
      } finally {
        await c.close();
      }
      const res = await crieur(own, ['user:reset-password', '--email', 'z@y.fr', '--password', 'Soleil-Rouge-Sur-La-Mer-17!'], env);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('accounts_frozen');
      expect(res.stderr).not.toContain('$argon2');
      expect(res.stderr).not.toContain('Soleil-Rouge-Sur-La-Mer-17!');
    } finally {
      await database.drop();
      fs.rmSync(own, { recursive: true, force: true });
    }
  }, 180_000);

  it('answers exit code 1 for an unknown account', async () => {
    const res = await crieur(dir, ['user:reset-password', '--email', 'personne@y.fr']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('Aucun compte avec cette adresse.');
  });
});
