import crypto from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Container } from '../container';
import { actorOf, requirePermission } from '../auth/auth.middleware';
import { flash } from '../http/flash';
import { handleForm } from '../http/form';
import { ValidationError } from '../http/errors';
import { renderPage } from '../http/render';
import { parseForm } from '../http/validate';
import type { Translate } from '../i18n/i18n';
import { formatRatio, isHexColor } from './contrast';
import { DEFAULT_SETTINGS, type CommuneSettings } from './settings.defaults';
import { formValues, readableParts, SettingsFormSchema, typedValues } from './settings.schemas';
import { SettingsValidationError } from './settings.service';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'media' | 'settings'>;

const VIEW = 'admin/settings/edit';
const RECENT_MEDIA = 50;

/** The commune's colours as CSS custom properties; layouts link it because the CSP forbids inline styles. */
export function themeCss(s: CommuneSettings): string {
  const pick = (v: string, fallback: string) => (isHexColor(v) ? v.toLowerCase() : fallback);
  const d = DEFAULT_SETTINGS.colors;
  return (
    ':root{' +
    `--primary:${pick(s.colors.primary, d.primary)};` +
    `--on-primary:${pick(s.colors.onPrimary, d.onPrimary)};` +
    `--accent:${pick(s.colors.accent, d.accent)};` +
    `--on-accent:${pick(s.colors.onAccent, d.onAccent)};` +
    '}\n'
  );
}

/** Turns the colour-contrast refusal into messages in the reader's language, ratio included. */
function localized(err: unknown, t: Translate, locale: 'fr' | 'en'): unknown {
  if (!(err instanceof SettingsValidationError)) return err;
  const fields = Object.fromEntries(
    Object.entries(err.fields).map(([k, key]) => {
      const ratio = err.fieldRatios[k];
      return [k, ratio === undefined ? key : t(key, { ratio: formatRatio(ratio, locale) })];
    }),
  );
  return new ValidationError(err.message, fields);
}

export function settingsRoutes(c: Deps): Router {
  const router = Router();
  const manage = requirePermission('settings.manage');

  async function pageLocals(res: Response, values: Record<string, unknown>) {
    const commune = await c.settings.get();
    const media = await c.media.list({ limit: RECENT_MEDIA, offset: 0 });
    const logo = commune.logoMediaId === null ? null : await c.media.findById(commune.logoMediaId);
    const logoPreview = logo?.variants.find((v) => v.kind === 'preview') ?? null;
    return { title: res.locals.t('Paramètres de la commune'), values, media: media.rows, logo, logoPreview };
  }

  router.get('/admin/settings', manage, async (_req, res) => {
    await renderPage(res, VIEW, await pageLocals(res, formValues(await c.settings.get())));
  });

  router.post('/admin/settings', manage, async (req: Request, res: Response) => {
    const t = res.locals.t as Translate;
    const logoCheck = { logoExists: async (id: number) => !!(await c.media.findById(id)) };
    await handleForm(res, VIEW, await pageLocals(res, typedValues(req.body)), async () => {
      try {
        let next: CommuneSettings;
        try {
          next = parseForm(SettingsFormSchema, req.body);
        } catch (err) {
          // The contrast and logo refusals join the format errors: nobody fixes the form twice.
          const refused = err instanceof ValidationError ? await c.settings.refusals(readableParts(req.body), logoCheck) : null;
          if (!refused || !(err instanceof ValidationError)) throw err;
          throw new SettingsValidationError({ ...refused.fields, ...err.fields }, refused.fieldRatios);
        }
        await c.settings.save(next, actorOf(req), logoCheck);
      } catch (err) {
        throw localized(err, t, res.locals.locale as 'fr' | 'en');
      }
      flash(req, 'success', t('Les paramètres de la commune sont enregistrés.'));
      res.redirect('/admin/settings');
    });
  });

  return router;
}

/**
 * GET /theme.css, mounted before sessions: it is fetched with every page, by visitors too, and a
 * cacheable stylesheet must not create a session or carry a cookie.
 */
export function themeRoutes(c: Deps): Router {
  const router = Router();
  router.get('/theme.css', async (req, res) => {
    const css = themeCss(await c.settings.get());
    const etag = `"${crypto.createHash('sha256').update(css).digest('base64url').slice(0, 16)}"`;
    // Short cache: a colour change shows within minutes, and revalidation is a cheap 304.
    res.set({ 'Cache-Control': 'public, max-age=300', ETag: etag, 'Content-Type': 'text/css; charset=utf-8' });
    if (req.get('if-none-match') === etag) {
      res.status(304).end();
      return;
    }
    res.send(css);
  });

  return router;
}
