import fs from 'node:fs';
import path from 'node:path';
import { ROLE_LABELS } from '../server/auth/permissions';
import { AUDIT_LABEL_KEYS } from '../server/audit/audit.details';
import { SOURCE_LABELS } from '../server/audience/audience.routes';
import { JOB_LABEL_KEYS } from '../server/jobs/job-labels';
import { missingTranslations, translator } from '../server/i18n/i18n';
import { CONTRAST_MESSAGE } from '../server/settings/settings.service';
import { createTestContext, loginAs, type TestContext } from './helpers/context';

const ROOT = path.join(__dirname, '..');

/** Files whose strings must all have an English translation: all of them. */
const SCOPE = ['server/**/*.ts', 'views/**/*.ejs'];

/** Keys used indirectly (a variable passed to t), which no scan can see. */
const INDIRECT_KEYS = [...Object.values(ROLE_LABELS), ...Object.values(SOURCE_LABELS), ...AUDIT_LABEL_KEYS, ...JOB_LABEL_KEYS, CONTRAST_MESSAGE];

function globToRegExp(glob: string): RegExp {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*\//g, '@@DEEP@@')
    .replace(/\*/g, '[^/]*')
    .replace(/@@DEEP@@/g, '(?:.*/)?');
  return new RegExp(`^${re}$`);
}

function walk(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : walk(rel);
    return [rel];
  });
}

export function filesInScope(scope: string[]): string[] {
  const patterns = scope.map(globToRegExp);
  return [...walk('server'), ...walk('views')].filter((f) => patterns.some((p) => p.test(f))).sort();
}

const QUOTED = String.raw`('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")`;
/** t('…'), res.locals.t("…"): the literal first argument of a translator call. */
const T_CALL = new RegExp(String.raw`(?<![\w$])t\(\s*${QUOTED}`, 'g');
/**
 * In TypeScript, messages also travel as plain literals (zod messages, domain errors, password
 * rules) that handleForm and the error handler translate later: any quoted whole French sentence.
 */
const SENTENCE = new RegExp(QUOTED, 'g');
const LOOKS_LIKE_SENTENCE = /^[A-ZÀ-Ý][^]*\s[^]*[.!?…]$/;

function unquote(literal: string): string {
  return literal.slice(1, -1).replace(/\\(.)/g, '$1');
}

export function keysIn(file: string): Set<string> {
  const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const keys = new Set<string>();
  for (const m of source.matchAll(T_CALL)) keys.add(unquote(m[1] as string));
  if (file.endsWith('.ts')) {
    const code = source.replace(/^\s*(\/\/|\*|\/\*).*$/gm, '');
    for (const m of code.matchAll(SENTENCE)) {
      const s = unquote(m[1] as string);
      if (LOOKS_LIKE_SENTENCE.test(s)) keys.add(s);
    }
  }
  return keys;
}

describe('English catalogue', () => {
  it('scans the files in scope (the scan itself works)', () => {
    const files = filesInScope(SCOPE);
    expect(files).toEqual(expect.arrayContaining(['server/http/errors.ts', 'views/admin/layout.ejs', 'server/auth/users.schemas.ts']));
    expect(keysIn('views/admin/layout.ejs')).toContain('Tableau de bord');
    expect(keysIn('server/auth/users.schemas.ts')).toContain('Indiquez le nom de la personne.');
    expect(keysIn('server/http/errors.ts')).toContain('Cette page n’existe pas ou plus.');
  });

  it('has an English translation for every French string of the files in scope', () => {
    const missing: Record<string, string[]> = {};
    for (const file of filesInScope(SCOPE)) {
      const absent = missingTranslations(keysIn(file));
      if (absent.length) missing[file] = absent;
    }
    const indirect = missingTranslations(INDIRECT_KEYS);
    if (indirect.length) missing['(keys used through variables)'] = indirect;
    expect(missing).toEqual({});
  });

  it('keeps the {variables} of each key in its translation', () => {
    const dir = path.join(ROOT, 'server/i18n/en');
    const problems: string[] = [];
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const entries = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, string>;
      for (const [fr, en] of Object.entries(entries)) {
        const vars = (s: string) =>
          [...s.matchAll(/\{(\w+)\}/g)]
            .map((m) => m[1])
            .sort()
            .join(',');
        if (vars(fr) !== vars(en)) problems.push(`${file}: "${fr}" → "${en}"`);
        if (!en.trim()) problems.push(`${file}: "${fr}" has an empty translation`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('translates with variables', () => {
    expect(translator('en')('Bonjour {name}.', { name: 'Marie' })).toBe('Hello Marie.');
    expect(translator('fr')('Bonjour {name}.', { name: 'Marie' })).toBe('Bonjour Marie.');
  });
});

describe('choosing English', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  it('has an English name for every channel Crieur ships (its adapter’s label, which the pages pass through t)', () => {
    const labels = ctx.c.adapters
      .all()
      .filter((a) => a !== ctx.testAdapter)
      .map((a) => a.label);
    expect(labels).toContain('Publication à la main');
    expect(missingTranslations(labels)).toEqual([]);
  });

  it('shows the admin in English to a user who chose English in their account', async () => {
    const { agent, csrf } = await loginAs(ctx, 'editor');
    const res = await agent.post('/admin/account/locale').type('form').send({ _csrf: csrf, locale: 'en' });
    expect(res.status).toBe(302);
    const home = await agent.get('/admin');
    expect(home.text).toContain('<html lang="en">');
    expect(home.text).toContain('Dashboard');
    expect(home.text).toContain('Log out');
    expect(home.text).not.toContain('Tableau de bord');
    expect(home.text).toContain('The interface is now in English.');
    const account = await agent.get('/admin/account');
    expect(account.text).toContain('Change my password');
  });

  it('gives form errors in English too', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    await agent.post('/admin/account/locale').type('form').send({ _csrf: csrf, locale: 'en' });
    const res = await agent.post('/admin/users/invite').type('form').send({ _csrf: csrf, displayName: '', email: 'nope', role: 'editor' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Enter the person’s name.');
    expect(res.text).not.toContain('Indiquez le nom de la personne.');
  });

  it('gives the contrast refusal in English with an English number', async () => {
    const { agent, csrf } = await loginAs(ctx, 'admin');
    await agent.post('/admin/account/locale').type('form').send({ _csrf: csrf, locale: 'en' });
    const page = await agent.get('/admin/settings');
    const form: Record<string, string> = { _csrf: csrf };
    for (const m of page.text.matchAll(/<input id="(\w+)" name="\w+" type="[\w-]+" value="([^"]*)"/g))
      form[m[1] as string] = (m[2] as string).replace(/&#39;/g, "'");
    form.a11yStatus = 'non';
    form.primary = '#ffffff';
    form.onPrimary = '#aaaaaa';
    const res = await agent.post('/admin/settings').type('form').send(form);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Insufficient contrast: 2.3:1, at least 4.5:1 is required.');
  });
});
