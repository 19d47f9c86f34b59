import { parseArgs } from 'node:util';
import { loadEnvFile } from '../env-file';
import { loadConfig } from '../config';
import { createContainer, migrate } from '../container';
import { isRole, ROLES } from '../auth/permissions';
import { DomainError } from '../http/errors';

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
`;

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
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
        const { user, generatedPassword } = await c.users.addFromCli({ email: values.email, role: values.role, password: values.password, displayName: values.name });
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
      console.error(err.message);
      process.exit(1);
    }
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
