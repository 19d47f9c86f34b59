import fs from 'node:fs';
import path from 'node:path';

/**
 * CNIL deliberation 2022-100, for accounts without a second factor: at least 12 characters of
 * 4 kinds, or 14 of 3 kinds, or a passphrase of 7 words or more. Common passwords are refused
 * even when they pass the length rules ("Motdepasse123!").
 */
const COMMON = new Set(
  fs
    .readFileSync(path.join(__dirname, 'common-passwords.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim().toLowerCase())
    .filter((l) => l && !l.startsWith('#')),
);

export const PASSWORD_RULE =
  'Au moins 12 caractères mêlant minuscules, majuscules, chiffres et symboles, ou 14 caractères de trois de ces sortes, ou une phrase de 7 mots.';

function classes(pw: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(pw)).length;
}

/** Strips what people add around a common word: case, digits, symbols, leetspeak. */
function core(pw: string): string {
  return pw
    .toLowerCase()
    .replace(/[@4]/g, 'a')
    .replace(/3/g, 'e')
    .replace(/[1!]/g, 'i')
    .replace(/0/g, 'o')
    .replace(/\$/g, 's')
    .replace(/[^a-zà-ÿ]/g, '');
}

/** Returns null when acceptable, or the message (an i18n key) saying why not. */
export function checkPassword(pw: string, context: { email?: string; communeName?: string } = {}): string | null {
  if (pw.length > 256) return 'Ce mot de passe est trop long (256 caractères au plus).';
  const words = pw.trim().split(/[\s\-_.]+/).filter((w) => w.length >= 2);
  const strongEnough =
    (pw.length >= 12 && classes(pw) >= 4) || (pw.length >= 14 && classes(pw) >= 3) || words.length >= 7;
  if (!strongEnough) return 'Ce mot de passe est trop faible.';
  const c = core(pw);
  if (COMMON.has(pw.toLowerCase()) || COMMON.has(c) || c.length < 4) {
    return 'Ce mot de passe est trop courant : choisissez-en un autre.';
  }
  const local = context.email?.split('@')[0]?.toLowerCase();
  const commune = context.communeName ? core(context.communeName) : undefined;
  if ((local && local.length >= 4 && pw.toLowerCase().includes(local)) || (commune && commune.length >= 4 && c.includes(commune))) {
    return 'Ce mot de passe ne doit pas contenir votre adresse ni le nom de la commune.';
  }
  return null;
}
