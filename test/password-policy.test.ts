import { checkPassword } from '../server/auth/password-policy';
import { createTestContext, loginAs, PASSWORD, type TestContext } from './helpers/context';

const COMMON = 'Ce mot de passe est trop courant : choisissez-en un autre.';
const WEAK = 'Ce mot de passe est trop faible.';

describe('the password rule (CNIL 2022-100)', () => {
  it.each([
    'Motdepasse123!',
    'Password1234!',
    'Azertyuiop123!',
    'P@ssw0rd!!!!',
    'Marseille2024!',
    'Soleil123456!',
    'Aaaaaaaaaaa1!',
    'Abcdefgh1234!',
    'Qsdfghjklm12!',
    'Bienvenue2026!',
  ])('refuses the common password %s, whatever is added around it', (pw) => {
    expect(checkPassword(pw)).toBe(COMMON);
  });

  it('refuses short or single-kind passwords, and a "passphrase" of one word repeated', () => {
    expect(checkPassword('Court-1!')).toBe(WEAK);
    expect(checkPassword('toutenminusculessansrien')).toBe(WEAK);
    expect(checkPassword('aa aa aa aa aa aa aa')).toBe(WEAK);
  });

  it('accepts strong passwords and real passphrases', () => {
    expect(checkPassword('Correct-Horse-Battery-9')).toBeNull();
    expect(checkPassword('Trombone-Violet-42')).toBeNull();
    expect(checkPassword('le chat dort sur le vieux canapé rouge')).toBeNull();
  });

  it('refuses the person’s address and the commune’s name', () => {
    expect(checkPassword('Marie.Dupont-2026!', { email: 'marie.dupont@mairie.fr' })).toBe(
      'Ce mot de passe ne doit pas contenir votre adresse ni le nom de la commune.',
    );
    expect(checkPassword('Saint-Crieur-2026!', { communeName: 'Saint-Crieur' })).toBe(
      'Ce mot de passe ne doit pas contenir votre adresse ni le nom de la commune.',
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
    expect(res.text).toContain('Ce mot de passe est trop courant');
    await expect(ctx.c.auth.login(user.email, PASSWORD, '127.0.0.1')).resolves.toMatchObject({ id: user.id });
  });
});
