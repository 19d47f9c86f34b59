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

const KINDS = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/] as const;

function classes(pw: string): number {
  return KINDS.filter((re) => re.test(pw)).length;
}

/**
 * Which rule failed, in words: the message (an i18n key) and its values, so that a refused
 * password says what to change ("a 10 caractères : il en faut 12", "repose sur « soleil »")
 * rather than only that it is refused.
 */
export interface PasswordProblem {
  message: string;
  vars: Record<string, string | number>;
}

// At 12 or 13 characters all four kinds are needed: one sentence per kind missing.
const MISSING_KIND = [
  'Ce mot de passe a {length} caractères mais aucune minuscule : ajoutez-en une, ou allongez-le jusqu’à 14 caractères.',
  'Ce mot de passe a {length} caractères mais aucune majuscule : ajoutez-en une, ou allongez-le jusqu’à 14 caractères.',
  'Ce mot de passe a {length} caractères mais aucun chiffre : ajoutez-en un, ou allongez-le jusqu’à 14 caractères.',
  'Ce mot de passe a {length} caractères mais aucun symbole (- ! ? …) : ajoutez-en un, ou allongez-le jusqu’à 14 caractères.',
] as const;

/** Why a password is too weak for the length-and-kinds rules, the most useful advice first. */
function weakness(pw: string): PasswordProblem {
  const length = [...pw].length;
  const kinds = classes(pw);
  if (length < 12) {
    return {
      message:
        'Ce mot de passe n’a que {length} caractères : il en faut au moins 12 (avec minuscules, majuscules, chiffres et symboles), ou 14 de trois de ces sortes, ou une phrase de 7 mots.',
      vars: { length },
    };
  }
  if (length < 14 && kinds === 3) {
    const missing = KINDS.findIndex((re) => !re.test(pw));
    return { message: MISSING_KIND[missing] as string, vars: { length } };
  }
  return {
    message:
      'Ce mot de passe ne mêle que {kinds} sorte(s) de caractères : il en faut trois parmi minuscules, majuscules, chiffres et symboles (et 14 caractères), ou une phrase de 7 mots différents.',
    vars: { kinds },
  };
}

/**
 * The word people dress up with case, digits, symbols and leetspeak: "Motdepasse123!" and
 * "P@ssw0rd!!" both come down to a word of the list. Two readings, because a digit is either
 * decoration ("soleil2024") or a letter in disguise ("p4ssw0rd").
 */
function cores(pw: string): string[] {
  const lower = pw.toLowerCase();
  const plain = lower.replace(/[^a-zà-ÿ]/g, '');
  // Digits and symbols around the word are decoration even in leetspeak: "P@ssw0rd!!!!".
  const leet = lower
    .replace(/^[^a-zà-ÿ@$]+|[^a-zà-ÿ]+$/g, '')
    .replace(/[@4]/g, 'a')
    .replace(/3/g, 'e')
    .replace(/[1!]/g, 'i')
    .replace(/0/g, 'o')
    .replace(/\$/g, 's')
    .replace(/[^a-zà-ÿ]/g, '');
  return [plain, leet];
}

const SEQUENCES = ['abcdefghijklmnopqrstuvwxyz', 'azertyuiopqsdfghjklmwxcvbn', 'qwertyuiopasdfghjklzxcvbnm', '01234567890', '09876543210'];

/** "abcdefgh", "azertyuiop", "Aaaaaaaaaaa1!": a keyboard run, the alphabet or one repeated key. */
function predictable(pw: string, core: string): PasswordProblem | null {
  const distinct = new Set(pw.toLowerCase()).size;
  if (distinct < 6) {
    return { message: 'Ce mot de passe répète les mêmes caractères ({distinct} différents) : il en faut au moins 6 différents.', vars: { distinct } };
  }
  if (core.length >= 4 && SEQUENCES.some((seq) => seq.includes(core) || [...seq].reverse().join('').includes(core))) {
    return { message: 'Ce mot de passe repose sur une suite du clavier ou de l’alphabet (« {word} ») : choisissez-en un autre.', vars: { word: core } };
  }
  return null;
}

const common = (word: string): PasswordProblem => ({
  message: 'Ce mot de passe repose sur « {word} », un mot de passe trop courant : choisissez-en un autre.',
  vars: { word },
});

/** Returns null when acceptable, or which rule failed (an i18n key and its values). */
export function checkPassword(pw: string, context: { email?: string; communeName?: string } = {}): PasswordProblem | null {
  if (pw.length > 256) return { message: 'Ce mot de passe est trop long ({length} caractères) : 256 au plus.', vars: { length: pw.length } };
  const words = pw
    .trim()
    .toLowerCase()
    .split(/[\s\-_.]+/)
    .filter((w) => w.length >= 2);
  // A passphrase is seven words, not one word seven times ("aa aa aa aa aa aa aa").
  const passphrase = words.length >= 7 && new Set(words).size >= 6 && pw.replace(/[\s\-_.]/g, '').length >= 20;
  const strongEnough = (pw.length >= 12 && classes(pw) >= 4) || (pw.length >= 14 && classes(pw) >= 3) || passphrase;
  if (!strongEnough) return weakness(pw);
  const [plain, leet] = cores(pw) as [string, string];
  if (COMMON.has(pw.toLowerCase())) return common(pw.toLowerCase());
  if (COMMON.has(plain)) return common(plain);
  if (COMMON.has(leet)) return common(leet);
  if (leet.length < 4) {
    return { message: 'Ce mot de passe n’a presque pas de lettres : mettez-y des mots qui ne se devinent pas.', vars: {} };
  }
  if (!passphrase) {
    const problem = predictable(pw, plain);
    if (problem) return problem;
  }
  const local = context.email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && pw.toLowerCase().includes(local)) {
    return { message: 'Ce mot de passe contient « {word} », tiré de votre adresse e-mail : choisissez-en un autre.', vars: { word: local } };
  }
  const commune = context.communeName ? cores(context.communeName)[0] : undefined;
  if (commune && commune.length >= 4 && (plain.includes(commune) || leet.includes(commune))) {
    return { message: 'Ce mot de passe contient le nom de la commune (« {word} ») : choisissez-en un autre.', vars: { word: context.communeName ?? commune } };
  }
  return null;
}
