import { parseArgs } from 'node:util';
import { loadEnvFile } from '../env-file';
import { loadConfig } from '../config';
import { createContainer, migrate } from '../container';
import { isRole, ROLES } from '../auth/permissions';
import { DomainError } from '../http/errors';
import { interpolate } from '../i18n/i18n';
import { scrubText } from '../http/log-safety';
import fs from 'node:fs/promises';
import { nextDigestMessage } from '../newsletter/digest-preview';
// The command line is an entry point: it may know the job list in jobs/.
import { ALL_JOBS, findJob } from '../../jobs';

/**
 * `npm run crieur -- <command>`: what an administrator does from a terminal.
 *   user:add --email a@b.fr --role editor [--password …] [--name "Marie Dupont"]
 *   user:reset-password --email a@b.fr [--password …]
 */
const USAGE = `Utilisation : npm run crieur -- <commande> [options]

Commandes :
  user:add --email <adresse> --role <${ROLES.join('|')}> [--password <mot de passe>] [--name <nom affiché>]
      Crée un compte. Sans --password, un mot de passe est généré et affiché une fois.
  user:reset-password --email <adresse> [--password <mot de passe>]
      Remplace le mot de passe d'un compte et ferme ses sessions.
  newsletter:preview --out <fichier.eml> [--email <adresse>]
      Écrit la prochaine lettre régulière, telle qu'un abonné de toutes les rubriques la recevra
      (message complet, en-têtes compris), sans l'envoyer.
  job:run <nom>
      Lance une tâche planifiée tout de suite (${ALL_JOBS.map((j) => j.name).join(', ')}).
  demo:remove
      Retire la commune de démonstration : ses articles, ses pages, ses images et ses chiffres. Ce que la
      commune a écrit elle-même, les comptes et les paramètres restent (le même bouton existe dans
      Paramètres > Données de démonstration).
  stats:remove-demo
      Efface seulement l'historique de statistiques généré pour la commune de démonstration (les vrais chiffres restent).
`;

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { email: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' }, out: { type: 'string' } },
    strict: true,
  });
  loadEnvFile();
  const c = createContainer(loadConfig());
  try {
    await migrate(c);
    switch (command) {
      case 'user:add': {
        if (!values.email || !values.role) throw new UsageError('user:add demande --email et --role.');
        if (!isRole(values.role)) throw new UsageError(`Rôle inconnu « ${values.role} » : ${ROLES.join(', ')}.`);
        const { user, generatedPassword } = await c.users.addFromCli({
          email: values.email,
          role: values.role,
          password: values.password,
          displayName: values.name,
        });
        console.log(`Compte créé : ${user.email} (${user.role}).`);
        if (generatedPassword) console.log(`Mot de passe (affiché une seule fois) : ${generatedPassword}`);
        return 0;
      }
      case 'user:reset-password': {
        if (!values.email) throw new UsageError('user:reset-password demande --email.');
        const { generatedPassword } = await c.users.resetPasswordFromCli(values.email, values.password);
        console.log(`Mot de passe remplacé pour ${values.email}.`);
        if (generatedPassword) console.log(`Nouveau mot de passe (affiché une seule fois) : ${generatedPassword}`);
        return 0;
      }
      case 'newsletter:preview': {
        if (!values.out) throw new UsageError('newsletter:preview demande --out <fichier.eml>.');
        const message = await nextDigestMessage({
          campaigns: c.campaigns,
          renderer: c.campaignRenderer,
          commune: () => c.settings.get(),
          newsletter: () => c.settings.newsletter(),
          timeZone: c.config.timeZone,
          now: c.clock.now(),
          to: values.email ?? 'abonne@exemple.fr',
        });
        if (!message) {
          console.log('Aucun article n’attend la prochaine lettre : elle ne partirait pas, rien n’a été écrit.');
          return 1;
        }
        await fs.writeFile(values.out, message.raw);
        console.log(`Lettre écrite dans ${values.out} : « ${message.subject} », ${message.articles} article(s). Rien n'a été envoyé.`);
        return 0;
      }
      case 'job:run': {
        const job = findJob(positionals[0] ?? '');
        if (!job) throw new UsageError(`Tâche inconnue « ${positionals[0] ?? ''} ».`);
        const result = await c.jobRunner.run(job, 'manual');
        if (!result.ran) {
          console.log(`La tâche ${job.name} tourne déjà sur une autre instance : rien n'a été lancé.`);
          return 1;
        }
        console.log(`${job.name} : ${result.ok ? 'terminée' : 'en échec'} ${result.detail}`);
        return result.ok ? 0 : 1;
      }
      case 'demo:remove': {
        const r = await c.demoRemoval.remove({ id: null, label: 'ligne de commande' });
        if (r.articles + r.pages + r.images + r.figureEvents === 0) {
          console.log('Il n’y avait plus de données de démonstration : rien n’a été retiré.');
          return 0;
        }
        console.log(
          `Commune de démonstration retirée : ${r.articles} article(s), ${r.pages} page(s), ${r.images} image(s), ${r.figureEvents} ligne(s) de chiffres.` +
            (r.imagesKept ? ` ${r.imagesKept} image(s) gardée(s) : le contenu de la commune les montre.` : ''),
        );
        return 0;
      }
      case 'stats:remove-demo': {
        const removed = await c.engagement.removeDemo();
        console.log(`Historique de démonstration effacé : ${removed} lignes.`);
        return 0;
      }
      default:
        throw new UsageError(`Commande inconnue « ${command} ».`);
    }
  } finally {
    await c.close();
  }
}

class UsageError extends Error {}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (err instanceof DomainError) {
      console.error(interpolate(err.message, err.vars));
      process.exit(1);
    }
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    // The stack only, scrubbed: a database's refusal carries the row it refused in its other
    // fields (PostgreSQL's "Failing row contains …"), a new password hash included.
    console.error(scrubText(err instanceof Error ? (err.stack ?? err.message) : String(err)));
    process.exit(1);
  },
);
