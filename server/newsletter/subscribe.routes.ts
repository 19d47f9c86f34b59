import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Container } from '../container';
import { DomainError } from '../http/errors';
import { handleForm } from '../http/form';
import { renderPage } from '../http/render';
import { parseForm, str } from '../http/validate';
import type { PageMeta } from '../site/metadata.types';
import { CURRENT_SUBSCRIBE_WORDING, CURRENT_TRACKING_WORDING, SUBSCRIBE_WORDINGS, TRACKING_WORDINGS } from './consent';
import { networkOf } from './network';
import { LINK_PATHS } from './subscriber-links';
import type { Subscriber } from './subscribers.repository';
import { PreferencesSchema, SubscribeSchema, TrackingSchema } from './subscribers.schemas';

type Deps = Pick<Container, 'subscribers' | 'config'>;

export const LETTRE_PATH = '/lettre';
const SENT_PATH = '/lettre/demande-envoyee';

/**
 * What the subscription form needs on any public page (home, articles, /lettre): the topics and
 * the current consent wording. The form carries no per-visitor token, so the pages that show it
 * stay in the page cache; see `sameOrigin` for how its POST is protected instead.
 */
export function newsletterLocals(c: Pick<Container, 'subscribers'>) {
  return async (req: Request, res: Response, next: NextFunction) => {
    // HEAD too: a page rendered for a HEAD request is kept in the page cache like any other.
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path.startsWith('/admin')) return next();
    res.locals.newsletter = {
      topics: await c.subscribers.cachedTopics(),
      wording: CURRENT_SUBSCRIBE_WORDING,
      wordingText: SUBSCRIBE_WORDINGS[CURRENT_SUBSCRIBE_WORDING],
    };
    next();
  };
}

/**
 * The subscription form sits on cached public pages, where there is no session and so no
 * session CSRF token (and a signed time token would go stale in the cache). What a forged
 * cross-site POST could do is ask for a confirmation e-mail to be sent, which the double opt-in
 * makes harmless; it is refused anyway when the browser says the POST comes from another site
 * (Sec-Fetch-Site, or an Origin that is not ours). The honeypot and the per-network rate limit
 * stop scripts, which send neither header.
 */
function sameOrigin(c: Deps) {
  const ours = ourOrigins(c.config.baseUrl);
  return (req: Request, _res: Response, next: NextFunction) => {
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    if ((site && site !== 'same-origin' && site !== 'none') || (origin !== undefined && !ours.has(origin))) {
      return next(new DomainError('Le formulaire a expiré ou ne vient pas de ce site. Rechargez la page et recommencez.', 403));
    }
    next();
  };
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The origins a subscription may come from: BASE_URL's. On a resident's own computer (BASE_URL
 * on a loopback name, as the default http://localhost:PORT) the site is as often opened at
 * http://127.0.0.1:PORT, and the browser then sends that as Origin: every loopback name on the
 * same scheme and port is the same machine, which no other site can be. A real host accepts its
 * own origin only.
 */
export function ourOrigins(baseUrl: string): Set<string> {
  const url = new URL(baseUrl);
  const origins = new Set([url.origin]);
  if (LOOPBACK_HOSTS.includes(url.hostname)) {
    for (const host of LOOPBACK_HOSTS) origins.add(`${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`);
  }
  return origins;
}

/** A page behind a signed link: never cached, never indexed, and its address never sent on as a Referer. */
export function privatePage(_req: Request, res: Response, next: NextFunction) {
  res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Robots-Tag': 'noindex, nofollow' });
  next();
}

function meta(c: Deps, title: string, path: string, description = title): PageMeta {
  return { title, description, canonical: `${c.config.baseUrl}${path}`, type: 'website', jsonLd: [] };
}

/**
 * The residents' side of the newsletter: the form (/lettre), the confirmation, their own page
 * (topics, tracking, data, deletion), the one-click unsubscribe and the re-consent answer.
 * GET never changes anything (mail software and antivirus scanners open links); every change is
 * a POST. Links are signed per purpose (subscriber-links.ts) and hidden from logs (log-safety.ts).
 */
export function subscribeRoutes(c: Deps): Router {
  const router = Router();
  const s = c.subscribers;

  const formLocals = (res: Response, values: Record<string, unknown> = {}) => ({
    title: res.locals.t('Lettre d’information'),
    meta: meta(c, res.locals.t('Lettre d’information'), LETTRE_PATH, res.locals.t('Recevoir les actualités de la commune par e-mail.')),
    values,
  });

  router.get(LETTRE_PATH, async (_req, res) => {
    await renderPage(res, 'site/newsletter/lettre', formLocals(res));
  });

  router.post(LETTRE_PATH, sameOrigin(c), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = { email: typeof body.email === 'string' ? body.email.slice(0, 254) : '', topics: body.topics, alertsOnly: body.alertsOnly };
    res.locals.newsletter = await newsletterView(c);
    await handleForm(res, 'site/newsletter/lettre', formLocals(res, values), async () => {
      const form = parseForm(SubscribeSchema, body);
      await s.subscribe(form, { network: networkOf(req.ip), honeypot: str(body.website) ?? '' });
      res.redirect(303, SENT_PATH);
    });
  });

  router.get(SENT_PATH, async (_req, res) => {
    const title = res.locals.t('Vérifiez votre boîte aux lettres électronique');
    await renderPage(res, 'site/newsletter/step', {
      title,
      meta: meta(c, title, SENT_PATH),
      paragraphs: [
        res.locals.t(
          'Si cette adresse peut recevoir la lettre, un e-mail vient de lui être envoyé. Suivez le lien qu’il contient pour confirmer votre inscription.',
        ),
        res.locals.t('Sans confirmation dans les 7 jours, la demande est effacée.'),
      ],
    });
  });

  const step = async (res: Response, title: string, paragraphs: string[], extra: Record<string, unknown> = {}, status = 200) =>
    renderPage(res, 'site/newsletter/step', { title, meta: meta(c, title, LETTRE_PATH), paragraphs, ...extra }, status);

  // Confirmation: the e-mail's link shows a button; the button confirms.
  router.get(`${LINK_PATHS.confirm}:token`, privatePage, async (req, res) => {
    await s.byLink(req.params.token, 'confirm');
    await step(res, res.locals.t('Confirmer votre inscription'), [res.locals.t('Un clic encore pour recevoir la lettre d’information de la commune.')], {
      form: { action: req.originalUrl.split('?')[0], label: res.locals.t('Confirmer mon inscription') },
    });
  });
  router.post(`${LINK_PATHS.confirm}:token`, privatePage, async (req, res) => {
    const outcome = await s.confirm(req.params.token);
    const subscriber = await s.byLink(req.params.token, 'confirm');
    await step(
      res,
      outcome === 'confirmed' ? res.locals.t('Inscription confirmée') : res.locals.t('Inscription déjà confirmée'),
      [res.locals.t('Vous recevrez la lettre d’information à l’adresse {email}.', { email: subscriber.email })],
      { link: { href: s.manageUrl(subscriber.id), label: res.locals.t('Gérer mon abonnement') } },
    );
  });

  // The subscriber's own page.
  const managePath = `${LINK_PATHS.manage}:token`;
  const manageLocals = async (res: Response, subscriber: Subscriber, token: string, extra: Record<string, unknown> = {}) => ({
    title: res.locals.t('Mon abonnement à la lettre'),
    meta: meta(c, res.locals.t('Mon abonnement à la lettre'), LETTRE_PATH),
    subscriber,
    base: `${LINK_PATHS.manage}${token}`,
    unsubscribeHref: s.unsubscribePath(subscriber.id),
    topics: await s.topics(),
    trackingWording: TRACKING_WORDINGS[CURRENT_TRACKING_WORDING],
    ...extra,
  });
  router.get(managePath, privatePage, async (req, res) => {
    const subscriber = await s.byLink(req.params.token, 'manage');
    const saved = req.query.enregistre === 'abonnement' || req.query.enregistre === 'suivi' ? req.query.enregistre : null;
    await renderPage(res, 'site/newsletter/manage', await manageLocals(res, subscriber, String(req.params.token), { saved }));
  });
  router.post(managePath, privatePage, async (req, res) => {
    const token = String(req.params.token);
    const subscriber = await s.byLink(token, 'manage');
    await handleForm(res, 'site/newsletter/manage', await manageLocals(res, subscriber, token), async () => {
      const form = parseForm(PreferencesSchema, req.body);
      await s.updatePreferences(token, form);
      res.redirect(303, `${LINK_PATHS.manage}${token}?enregistre=abonnement`);
    });
  });
  router.post(`${managePath}/suivi`, privatePage, async (req, res) => {
    const token = String(req.params.token);
    const subscriber = await s.byLink(token, 'manage');
    await handleForm(res, 'site/newsletter/manage', await manageLocals(res, subscriber, token), async () => {
      const form = parseForm(TrackingSchema, req.body);
      await s.setTracking(token, form.tracking === 'oui');
      res.redirect(303, `${LINK_PATHS.manage}${token}?enregistre=suivi#suivi`);
    });
  });
  router.get(`${managePath}/donnees`, privatePage, async (req, res) => {
    const subscriber = await s.byLink(req.params.token, 'manage');
    const data = await s.personalDataOf(subscriber);
    res.set('Content-Disposition', 'attachment; filename="mes-donnees-lettre.json"');
    res.type('application/json').send(`${JSON.stringify(data, null, 2)}\n`);
  });
  router.get(`${managePath}/supprimer`, privatePage, async (req, res) => {
    const subscriber = await s.byLink(req.params.token, 'manage');
    await step(
      res,
      res.locals.t('Supprimer mes données'),
      [
        res.locals.t('Votre adresse {email}, vos rubriques et la preuve de votre consentement seront effacées. Vous ne recevrez plus rien.', {
          email: subscriber.email,
        }),
        res.locals.t('Seule une empreinte chiffrée de l’adresse est gardée, pour qu’elle ne soit jamais réinscrite sans vous.'),
      ],
      {
        form: {
          action: `${LINK_PATHS.manage}${String(req.params.token)}/supprimer`,
          label: res.locals.t('Supprimer définitivement mes données'),
          danger: true,
        },
        link: { href: `${LINK_PATHS.manage}${String(req.params.token)}`, label: res.locals.t('Annuler et revenir à mon abonnement') },
      },
    );
  });
  router.post(`${managePath}/supprimer`, privatePage, async (req, res) => {
    await s.erase(req.params.token);
    await step(res, res.locals.t('Vos données sont effacées'), [
      res.locals.t('Vous ne recevrez plus la lettre d’information. Vous pouvez vous réinscrire à tout moment.'),
    ]);
  });

  // One-click unsubscribe (RFC 8058): mail software POSTs "List-Unsubscribe=One-Click", with no
  // session and no token, to the List-Unsubscribe URL; a person gets the same URL as a page whose
  // button does that POST. A GET only shows the page (links are prefetched).
  router.get(`${LINK_PATHS.unsubscribe}:token`, privatePage, async (req, res) => {
    const state = await s.unsubscribeState(req.params.token);
    if (state === 'gone') return step(res, res.locals.t('Vous êtes désabonné'), [res.locals.t('Cette adresse ne reçoit plus la lettre d’information.')]);
    await step(res, res.locals.t('Se désabonner de la lettre'), [res.locals.t('Vous ne recevrez plus aucun e-mail de la lettre d’information.')], {
      form: { action: req.originalUrl, label: res.locals.t('Me désabonner') },
    });
  });
  router.post(`${LINK_PATHS.unsubscribe}:token`, privatePage, async (req, res) => {
    await s.unsubscribe(req.params.token, str(req.query.c)?.slice(0, 40) ?? null);
    await step(res, res.locals.t('Vous êtes désabonné'), [
      res.locals.t(
        'Cette adresse ne reçoit plus la lettre d’information. Seule une empreinte chiffrée est gardée, pour qu’elle ne soit jamais réinscrite sans vous.',
      ),
    ]);
  });

  // The answer to the 3-year question.
  router.get(`${LINK_PATHS.reconsent}:token`, privatePage, async (req, res) => {
    await s.byLink(req.params.token, 'reconsent');
    await step(
      res,
      res.locals.t('Continuer à recevoir la lettre'),
      [res.locals.t('Confirmez que vous souhaitez continuer à recevoir la lettre d’information.')],
      {
        form: { action: req.originalUrl.split('?')[0], label: res.locals.t('Oui, je continue') },
      },
    );
  });
  router.post(`${LINK_PATHS.reconsent}:token`, privatePage, async (req, res) => {
    await s.reconsent(req.params.token);
    await step(res, res.locals.t('Merci, c’est noté'), [res.locals.t('Vous continuerez à recevoir la lettre d’information.')]);
  });

  return router;
}

async function newsletterView(c: Deps) {
  return { topics: await c.subscribers.cachedTopics(), wording: CURRENT_SUBSCRIBE_WORDING, wordingText: SUBSCRIBE_WORDINGS[CURRENT_SUBSCRIBE_WORDING] };
}
