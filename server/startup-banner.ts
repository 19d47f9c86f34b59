import type { User } from './auth/users.repository';

/**
 * What a person starting Crieur needs to read, printed once everything has started (after the
 * start-up log lines, before any request line): where to go, and the first password if one was
 * made. Plain text on the console, never a log record: the password must not reach a log file.
 */
export function startupBanner(p: { baseUrl: string; first: { user: User; generatedPassword?: string } | null; pretty: boolean }): string {
  const rule = p.pretty ? '─'.repeat(72) : '-'.repeat(72);
  const lines = ['', rule, `  Crieur est prêt : ${p.baseUrl}/`, `  Administration  : ${p.baseUrl}/admin`];
  if (p.first?.generatedPassword) {
    lines.push(
      '',
      '  Premier compte administrateur créé. Notez ce mot de passe, il ne sera plus affiché :',
      `    e-mail       : ${p.first.user.email}`,
      `    mot de passe : ${p.first.generatedPassword}`,
      '  À la première connexion, Crieur vous demandera de le remplacer par le vôtre,',
      '  puis, dans « Mon compte », d’indiquer votre nom et votre adresse.',
    );
  } else if (p.first) {
    lines.push('', `  Premier compte administrateur créé : ${p.first.user.email}`);
  }
  lines.push(rule, '');
  return lines.join('\n') + '\n';
}
