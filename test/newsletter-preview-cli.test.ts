import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import pino from 'pino';
import { loadConfig } from '../server/config';
import { createContainer, migrate } from '../server/container';
import { loadDemoIfEmpty } from '../server/demo/demo.service';
import { testDatabaseUrl } from './helpers/database';

/**
 * `npm run crieur -- newsletter:preview --out lettre.eml` on the demo commune: the next digest,
 * as a subscriber of every topic would receive it, written as a complete message and sent nowhere.
 */
const ROOT = path.join(__dirname, '..');
let dir: string;
let env: Record<string, string>;
let drop: () => Promise<void>;

function crieur(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'server/cli/cli.ts'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crieur-letter-'));
  const database = await testDatabaseUrl(dir);
  drop = database.drop;
  env = {
    DATA_DIR: dir,
    DATABASE_URL: database.url,
    SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    CRIEUR_DEMO: 'false',
    LOG_LEVEL: 'silent',
    TZ: 'UTC',
    BASE_URL: 'https://www.villeneuve.example',
    SMTP_FROM: 'Mairie <lettre@villeneuve.example>',
  };
  const c = createContainer(loadConfig(env), { log: pino({ level: 'silent' }) });
  try {
    await migrate(c);
    await loadDemoIfEmpty(c);
    await c.media.idle();
  } finally {
    await c.close();
  }
}, 180_000);
afterAll(async () => {
  await drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('newsletter:preview', () => {
  it('writes the demo commune’s next digest as a complete message with all its headers, without sending', async () => {
    const out = path.join(dir, 'lettre.eml');
    const run = await crieur(['newsletter:preview', '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Lettre écrite dans .*lettre\.eml : « .+ », 4 article\(s\)\. Rien n'a été envoyé\./);
    const raw = fs.readFileSync(out);
    const mail = await simpleParser(raw);
    expect(mail.from?.value[0]).toEqual({ name: 'Villeneuve-sur-Lizonne', address: 'lettre@villeneuve.example' });
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : null).toBe('abonne@exemple.fr');
    expect(mail.subject).toMatch(/^Villeneuve-sur-Lizonne : la lettre du \d{1,2} \S+ \d{4}$/);
    expect(mail.date).toBeInstanceOf(Date);
    expect(mail.messageId).toMatch(/^<apercu-[0-9a-f]+@villeneuve\.example>$/);
    expect(mail.headers.get('list')).toEqual({
      unsubscribe: { url: 'https://www.villeneuve.example/lettre' },
      'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' },
    });
    expect(mail.headers.get('mime-version')).toBe('1.0');
    expect(String(mail.headers.get('content-type') && (mail.headers.get('content-type') as { value: string }).value)).toBe('multipart/alternative');
    expect(mail.html).toMatch(/<html[^>]* lang="fr"/);
    expect(mail.html).toContain('Voir dans le navigateur');
    expect((mail.html as string).match(/<h2/g)).toHaveLength(4);
    expect(mail.text).toContain('Me désabonner : https://www.villeneuve.example/lettre');
    // Nothing went out: the local mailbox is empty.
    expect(fs.existsSync(path.join(dir, 'mailbox'))).toBe(false);
  }, 60_000);

  it('says so, and writes nothing, with --out missing', async () => {
    const run = await crieur(['newsletter:preview']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('newsletter:preview demande --out <fichier.eml>.');
  }, 60_000);
});
