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
function predictable(pw: string, core: string): boolean {
  if (new Set(pw.toLowerCase()).size < 6) return true;
  if (core.length >= 4 && SEQUENCES.some((seq) => seq.includes(core) || [...seq].reverse().join('').includes(core))) return true;
  return false;
}

/** Returns null when acceptable, or the message (an i18n key) saying why not. */
export function checkPassword(pw: string, context: { email?: string; communeName?: string } = {}): string | null {
  if (pw.length > 256) return 'Ce mot de passe est trop long (256 caractères au plus).';
  const words = pw
    .trim()
    .toLowerCase()
    .split(/[\s\-_.]+/)
    .filter((w) => w.length >= 2);
  // A passphrase is seven words, not one word seven times ("aa aa aa aa aa aa aa").
  const passphrase = words.length >= 7 && new Set(words).size >= 6 && pw.replace(/[\s\-_.]/g, '').length >= 20;
  const strongEnough = (pw.length >= 12 && classes(pw) >= 4) || (pw.length >= 14 && classes(pw) >= 3) || passphrase;
  if (!strongEnough) return 'Ce mot de passe est trop faible.';
  const [plain, leet] = cores(pw) as [string, string];
  if (COMMON.has(pw.toLowerCase()) || COMMON.has(plain) || COMMON.has(leet) || leet.length < 4 || (!passphrase && predictable(pw, plain))) {
    return 'Ce mot de passe est trop courant : choisissez-en un autre.';
  }
  const local = context.email?.split('@')[0]?.toLowerCase();
  const commune = context.communeName ? cores(context.communeName)[0] : undefined;
  if (
    (local && local.length >= 4 && pw.toLowerCase().includes(local)) ||
    (commune && commune.length >= 4 && (plain.includes(commune) || leet.includes(commune)))
  ) {
    return 'Ce mot de passe ne doit pas contenir votre adresse ni le nom de la commune.';
  }
  return null;
}
