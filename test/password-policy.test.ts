import { checkPassword } from '../server/auth/password-policy';
import { createTestContext, loginAs, PASSWORD, type TestContext } from './helpers/context';

import { translator } from '../server/i18n/i18n';

/** What the person reads under the field: the message with its values. */
function said(pw: string, context: Parameters<typeof checkPassword>[1] = {}): string | null {
  const p = checkPassword(pw, context);
  return p ? translator('fr')(p.message, p.vars) : null;
}

describe('the password rule (CNIL 2022-100)', () => {
  it.each([
    ['Motdepasse123!', 'motdepasse'],
    ['Password1234!', 'password'],
    ['P@ssw0rd!!!!', 'password'],
    ['Marseille2024!', 'marseille'],
    ['Soleil123456!', 'soleil'],
    ['Bienvenue2026!', 'bienvenue'],
    ['Azertyuiop123!', 'azertyuiop'],
    ['Abcdefgh1234!', 'abcdefgh'],
  ])('refuses the common password %s and names the word it rests on', (pw, word) => {
    expect(said(pw)).toBe(`Ce mot de passe repose sur « ${word} », un mot de passe trop courant : choisissez-en un autre.`);
  });

  it.each([
    ['Qsdfghjklm12!', 'qsdfghjklm'],
    ['Zyxwvutsrq-9!', 'zyxwvutsrq'],
  ])('refuses the keyboard or alphabet run %s and names it', (pw, word) => {
    expect(said(pw)).toBe(`Ce mot de passe repose sur une suite du clavier ou de l’alphabet (« ${word} ») : choisissez-en un autre.`);
  });

  it('says how many different characters a repeated key gives', () => {
    expect(said('Aaaaaaaaaaa1!')).toBe('Ce mot de passe répète les mêmes caractères (3 différents) : il en faut au moins 6 différents.');
  });

  it('says which length rule failed: how long it is, and which kind of character is missing', () => {
    expect(said('Court-1!')).toBe(
      'Ce mot de passe n’a que 8 caractères : il en faut au moins 12 (avec minuscules, majuscules, chiffres et symboles), ou 14 de trois de ces sortes, ou une phrase de 7 mots.',
    );
    expect(said('Trombone-Viol')).toBe('Ce mot de passe a 13 caractères mais aucun chiffre : ajoutez-en un, ou allongez-le jusqu’à 14 caractères.');
    expect(said('trombone-viol4')).toBeNull();
    expect(said('Trombone4Viol')).toBe('Ce mot de passe a 13 caractères mais aucun symbole (- ! ? …) : ajoutez-en un, ou allongez-le jusqu’à 14 caractères.');
    expect(said('toutenminusculessansrien')).toBe(
      'Ce mot de passe ne mêle que 1 sorte(s) de caractères : il en faut trois parmi minuscules, majuscules, chiffres et symboles (et 14 caractères), ou une phrase de 7 mots différents.',
    );
    expect(said('aa aa aa aa aa aa aa')).toContain('ne mêle que 2 sorte(s)');
    expect(said('x'.repeat(300))).toBe('Ce mot de passe est trop long (300 caractères) : 256 au plus.');
  });

  it('accepts strong passwords and real passphrases', () => {
    expect(said('Correct-Horse-Battery-9')).toBeNull();
    expect(said('Trombone-Violet-42')).toBeNull();
    expect(said('le chat dort sur le vieux canapé rouge')).toBeNull();
  });

  it('refuses the person’s address and the commune’s name, and says which', () => {
    expect(said('Marie.Dupont-2026!', { email: 'marie.dupont@mairie.fr' })).toBe(
      'Ce mot de passe contient « marie.dupont », tiré de votre adresse e-mail : choisissez-en un autre.',
    );
    expect(said('Saint-Crieur-2026!', { communeName: 'Saint-Crieur' })).toBe(
      'Ce mot de passe contient le nom de la commune (« Saint-Crieur ») : choisissez-en un autre.',
    );
  });
});

describe('changing one’s password', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  it('refuses a common password with a message, and keeps the old one', async () => {
    const { agent, csrf, user } = await loginAs(ctx, 'editor');
    const res = await agent
      .post('/admin/account/password')
      .type('form')
      .send({ _csrf: csrf, current: PASSWORD, password: 'Motdepasse123!', confirm: 'Motdepasse123!' });
    expect(res.status).toBe(400);
    // Under the field and in the summary, with the word it rests on.
    expect(res.text).toContain('Ce mot de passe repose sur « motdepasse », un mot de passe trop courant');
    expect(res.text).toMatch(/class="field-error" id="password-error">Ce mot de passe repose sur « motdepasse »/);
    await expect(ctx.c.auth.login(user.email, PASSWORD, '127.0.0.1')).resolves.toMatchObject({ id: user.id });
  });
});
