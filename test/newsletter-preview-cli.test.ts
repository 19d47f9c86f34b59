import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { crieur as runCli, demoDataFolder } from './helpers/cli';

/**
 * `npm run crieur -- newsletter:preview --out lettre.eml` on the demo commune: the next digest,
 * as a subscriber of every topic would receive it, written as a complete message and sent nowhere.
 */
let dir: string;
let data: Awaited<ReturnType<typeof demoDataFolder>>;
const crieur = (args: string[]) => runCli(data.env, args);

beforeAll(async () => {
  data = await demoDataFolder('crieur-letter-', { BASE_URL: 'https://www.villeneuve.example', SMTP_FROM: 'Mairie <lettre@villeneuve.example>' });
  dir = data.dir;
}, 180_000);
afterAll(async () => {
  await data.remove();
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
