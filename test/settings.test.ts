import request from 'supertest';
import { contrastRatio, formatRatio, relativeLuminance } from '../server/settings/contrast';
import { formValues } from '../server/settings/settings.schemas';
import { DEFAULT_SETTINGS } from '../server/settings/settings.defaults';
import { createTestContext, loginAs, type TestContext } from './helpers/context';

describe('colour contrast (WCAG 2.1)', () => {
  it('gives 21:1 for black on white and 1:1 for a colour on itself', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#1d4e89', '#1d4e89')).toBeCloseTo(1, 5);
    expect(relativeLuminance('#ffffff')).toBeCloseTo(1, 5);
  });

  it('refuses #777777 on white (4.48) and accepts #767676 (4.54)', () => {
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrastRatio('#767676', '#FFFFFF')).toBeCloseTo(4.54, 2);
    expect(contrastRatio('#ffffff', '#767676')).toBeCloseTo(4.54, 2);
  });

  it('never shows a refused ratio as the threshold itself', () => {
    expect(formatRatio(contrastRatio('#777777', '#ffffff'))).toBe('4,48');
    expect(formatRatio(2.94)).toBe('2,9');
    expect(formatRatio(2.94, 'en')).toBe('2.9');
  });

  it('refuses what is not a #rrggbb colour', () => {
    expect(() => relativeLuminance('red')).toThrow();
  });
});

function formFor(csrf: string, patch: Record<string, string | undefined> = {}) {
  const values = Object.fromEntries(
    Object.entries(formValues(DEFAULT_SETTINGS))
      .filter(([k]) => k !== 'requireApproval')
      .map(([k, v]) => [k, String(v)]),
  );
  const out: Record<string, string> = { _csrf: csrf, ...values };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

describe('commune settings', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  it('shows the settings form to an administrator, filled with the current settings', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const res = await agent.get('/admin/settings');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Paramètres de la commune');
    expect(res.text).toContain('value="Ma commune"');
    expect(res.text).toContain('La publication attend l’approbation d’un élu');
  });

  it('refuses the settings page to an editor and an elected member', async () => {
    for (const role of ['editor', 'elected'] as const) {
      const { agent, csrf } = await loginAs(ctx, role);
      expect((await agent.get('/admin/settings')).status).toBe(403);
      const res = await agent
        .post('/admin/settings')
        .type('form')
        .send(formFor(csrf, { name: 'Piratée' }));
      expect(res.status).toBe(403);
    }
    expect((await ctx.c.settings.get()).name).not.toBe('Piratée');
  });

  it('saves the settings, shows the new name in the admin header and records it in the audit log', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const res = await agent
      .post('/admin/settings')
      .type('form')
      .send(
        formFor(csrf, {
          name: 'Saint-Crieur-sur-Loire',
          postalCode: '45000',
          email: 'mairie@saint-crieur.fr',
          mastodon: 'https://mastodon.social/@saintcrieur',
          requireApproval: '1',
          a11yStatus: 'partiellement',
          a11yAuditDate: '2026-01-15',
        }),
      );
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/admin/settings');
    const page = await agent.get('/admin/settings');
    expect(page.text).toContain('Les paramètres de la commune sont enregistrés.');
    expect(page.text).toMatch(/class="brand-commune">Saint-Crieur-sur-Loire</);
    expect(page.text).toContain('value="https://mastodon.social/@saintcrieur"');
    const home = await agent.get('/admin');
    expect(home.text).toContain('Saint-Crieur-sur-Loire');

    const saved = await ctx.c.settings.get();
    expect(saved.requireApproval).toBe(true);
    expect(saved.accessibility.status).toBe('partiellement');
    expect(saved.social.mastodon).toBe('https://mastodon.social/@saintcrieur');

    const { rows } = await ctx.c.audit.list({ action: 'settings.updated', limit: 10, offset: 0 });
    expect(rows[0]?.details?.changed).toEqual(expect.arrayContaining(['name', 'social', 'requireApproval']));
  });

  it('unticking the approval box turns approval off', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    await agent
      .post('/admin/settings')
      .type('form')
      .send(formFor(csrf, { requireApproval: undefined }));
    expect((await ctx.c.settings.get()).requireApproval).toBe(false);
  });

  it('refuses a colour pair below 4.5:1 with the computed ratio and keeps what was typed', async () => {
    const before = await ctx.c.settings.get();
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const res = await agent
      .post('/admin/settings')
      .type('form')
      .send(formFor(csrf, { name: 'Nom tapé', primary: '#ffffff', onPrimary: '#777777' }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('Contraste insuffisant : 4,48:1, il faut au moins 4,5:1');
    expect(res.text).toContain('value="Nom tapé"');
    expect(res.text).toMatch(/id="onPrimary"[^>]*aria-invalid="true"/);
    expect((await ctx.c.settings.get()).name).toBe(before.name);
  });

  it('accepts #767676 on white', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const res = await agent
      .post('/admin/settings')
      .type('form')
      .send(formFor(csrf, { primary: '#FFFFFF', onPrimary: '#767676' }));
    expect(res.status).toBe(302);
    expect((await ctx.c.settings.get()).colors.primary).toBe('#ffffff');
    await agent.post('/admin/settings').type('form').send(formFor(csrf));
  });

  it('gives one clear French message per wrong field, never a 500', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const res = await agent
      .post('/admin/settings')
      .type('form')
      .send(
        formFor(csrf, {
          name: '  ',
          postalCode: '4500',
          email: 'pas-une-adresse',
          accent: 'jaune',
          facebook: 'http://facebook.com/commune',
          x: 'javascript:alert(1)',
          a11yStatus: 'presque',
          a11yAuditDate: '2026-13-45',
          logoMediaId: 'abc',
        }),
      );
    expect(res.status).toBe(400);
    for (const message of [
      'Indiquez le nom de la commune.',
      'Le code postal compte 5 chiffres.',
      'Cette adresse e-mail n’est pas valide.',
      'Indiquez une couleur au format #rrggbb.',
      'Indiquez une adresse complète commençant par https://.',
      'Choisissez l’état de conformité.',
      'Indiquez une date valide.',
      'Choisissez une image de la médiathèque.',
    ]) {
      expect(res.text).toContain(message);
    }
    expect(res.text).toContain('value="pas-une-adresse"');
  });

  it('shows every refusal in one answer, the contrast one included, each next to its field', async () => {
    const before = await ctx.c.settings.get();
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const res = await agent
      .post('/admin/settings')
      .type('form')
      .send(formFor(csrf, { name: '', postalCode: '123', primary: '#ffffff', onPrimary: '#777777', accent: 'jaune', logoMediaId: '424242' }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('Indiquez le nom de la commune.');
    expect(res.text).toContain('Le code postal compte 5 chiffres.');
    expect(res.text).toContain('Indiquez une couleur au format #rrggbb.');
    expect(res.text).toContain('Cette image n’existe pas dans la médiathèque.');
    expect(res.text).toMatch(/<p class="field-error" id="onPrimary-error">Contraste insuffisant : 4,48:1, il faut au moins 4,5:1.<\/p>/);
    expect(res.text).toMatch(/id="onPrimary"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*onPrimary-error"/);
    // The accent pair cannot be measured while the accent is not a colour: its format is what is said.
    expect(res.text).toMatch(/<p class="field-error" id="accent-error">Indiquez une couleur au format #rrggbb.<\/p>/);
    expect(res.text).not.toContain('id="onAccent-error"');
    expect(await ctx.c.settings.get()).toEqual(before);
  });

  it('says the contrast refusal in English too, with the ratio written the English way', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    await agent.post('/admin/account/locale').type('form').send({ _csrf: csrf, locale: 'en' });
    const res = await agent
      .post('/admin/settings')
      .type('form')
      .send(formFor(csrf, { name: '', onAccent: '#777777', accent: '#ffffff' }));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="onAccent-error">[^<]*4\.48:1/);
    expect(res.text).toMatch(/id="name-error">/);
  });

  it('refuses a logo that is not in the media library', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const res = await agent
      .post('/admin/settings')
      .type('form')
      .send(formFor(csrf, { logoMediaId: '424242' }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('Cette image n’existe pas dans la médiathèque.');
  });

  it('serves the colours as CSS custom properties with a cache and an ETag', async () => {
    const res = await request(ctx.app).get('/theme.css');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/css/);
    expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
    expect(res.headers['set-cookie']).toBeUndefined();
    const colors = (await ctx.c.settings.get()).colors;
    expect(res.text).toContain(`--primary:${colors.primary};`);
    expect(res.text).toContain(`--on-primary:${colors.onPrimary};`);
    expect(res.text).toContain(`--accent:${colors.accent};`);
    expect(res.text).toContain(`--on-accent:${colors.onAccent};`);
    const again = await request(ctx.app)
      .get('/theme.css')
      .set('If-None-Match', res.headers.etag as string);
    expect(again.status).toBe(304);
  });

  it('changes the theme when the colours change', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const before = await request(ctx.app).get('/theme.css');
    await agent
      .post('/admin/settings')
      .type('form')
      .send(formFor(csrf, { primary: '#004d40', onPrimary: '#ffffff' }));
    const after = await request(ctx.app).get('/theme.css');
    expect(after.text).toContain('--primary:#004d40;');
    expect(after.headers.etag).not.toBe(before.headers.etag);
    const stale = await request(ctx.app)
      .get('/theme.css')
      .set('If-None-Match', before.headers.etag as string);
    expect(stale.status).toBe(200);
  });

  it('links the colours from admin pages at their versioned address, served immutable, and a colour change gives a new one at once', async () => {
    const THEME = /<link rel="stylesheet" href="(\/theme-[0-9a-f]{12}\.css)">/;
    const { agent, csrf } = await loginAs(ctx, 'admin');
    const login = await request(ctx.app).get('/admin/login');
    const href = THEME.exec(login.text)?.[1];
    expect(href).toBeDefined();
    expect(login.text).not.toContain('href="/theme.css"');
    expect(THEME.exec((await agent.get('/admin/settings')).text)?.[1]).toBe(href);
    const css = await request(ctx.app).get(href!);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(css.headers['set-cookie']).toBeUndefined();
    expect(css.text).toContain(`--primary:${(await ctx.c.settings.get()).colors.primary};`);

    await agent
      .post('/admin/settings')
      .type('form')
      .send(formFor(csrf, { primary: '#5b2c6f', onPrimary: '#ffffff' }))
      .expect(302);
    const page = await agent.get('/admin/settings');
    expect(page.text).toContain('Les paramètres de la commune sont enregistrés.');
    const next = THEME.exec(page.text)?.[1];
    expect(next).toBeDefined();
    expect(next).not.toBe(href);
    const fresh = await request(ctx.app).get(next!);
    expect(fresh.text).toContain('--primary:#5b2c6f;');
    expect(fresh.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });
});
