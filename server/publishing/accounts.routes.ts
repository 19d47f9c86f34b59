import { Router, type Request } from 'express';
import { actorOf, requirePermission } from '../auth/auth.middleware';
import { DomainError, NotFoundError, ValidationError } from '../http/errors';
import { flash } from '../http/flash';
import { renderPage } from '../http/render';
import type { AccountsService } from './accounts.service';
import { describeMessage } from './publishing.messages';

/** Digits only, and few enough for an integer column. */
function idParam(v: unknown): number {
  if (typeof v !== 'string' || !/^[1-9]\d{0,8}$/.test(v)) throw new NotFoundError();
  return Number(v);
}

/** The fields a network's connect form declares, as typed (strings only, trimmed, bounded). */
function fieldValues(body: unknown, names: string[]): Record<string, string> {
  const b = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(names.map((n) => [n, typeof b[n] === 'string' ? (b[n] as string).trim().slice(0, 4000) : '']));
}

function reconnectParam(req: Request): number | null {
  const v = req.query.reconnect ?? (req.body as Record<string, unknown> | undefined)?.reconnect;
  return typeof v === 'string' && v ? idParam(v) : null;
}

/**
 * The commune's accounts on the networks (administrators only): list, connect through the
 * network's own form or OAuth, test, reconnect, remove. Generic: the network's adapter says how.
 */
export function accountsRoutes(accounts: AccountsService): Router {
  const router = Router();
  router.use(requirePermission('accounts.manage'));

  router.get('/', async (_req, res) => {
    await renderPage(res, 'admin/networks/index', {
      title: res.locals.t('Comptes des réseaux'),
      rows: await accounts.list(),
      connectable: accounts.connectable(),
    });
  });

  async function connectPage(req: Request, res: Parameters<Parameters<typeof router.get>[1]>[1], status = 200, extra: Record<string, unknown> = {}) {
    const adapter = accounts.adapterFor(String(req.params.channel));
    const reconnect = reconnectParam(req);
    const account = reconnect ? await accounts.get(reconnect) : null;
    const title = account
      ? res.locals.t('Reconnecter {label}', { label: account.label })
      : res.locals.t('Connecter un compte {network}', { network: adapter.label });
    await renderPage(
      res,
      'admin/networks/connect',
      { title, adapter, account, fields: adapter.connect.kind === 'none' ? [] : adapter.connect.fields, ...extra },
      status,
    );
  }

  router.get('/connect/:channel', async (req, res) => connectPage(req, res));

  router.post('/connect/:channel', async (req, res) => {
    const adapter = accounts.adapterFor(String(req.params.channel));
    const reconnect = reconnectParam(req);
    const names = adapter.connect.kind === 'none' ? [] : adapter.connect.fields.map((f) => f.name);
    const values = fieldValues(req.body, names);
    // Secrets are never sent back into the form.
    const shown = Object.fromEntries(
      Object.entries(values).filter(([k]) => adapter.connect.kind !== 'none' && !adapter.connect.fields.find((f) => f.name === k)?.secret),
    );
    try {
      if (adapter.connect.kind === 'oauth') {
        const started = await accounts.startOAuth(adapter.channel, values, reconnect);
        // The link is the adapter's: only a web address is ever offered to click.
        if (!/^https?:\/\//i.test(started.redirectUrl)) throw new Error('authorization address is not a web address');
        req.session.oauth = started.pending;
        // A page with a link rather than a redirect: the form-action policy would stop a POST
        // redirected to another site, and the administrator sees where they are sent.
        await renderPage(res, 'admin/networks/authorize', {
          title: res.locals.t('Autoriser Crieur sur {network}', { network: adapter.label }),
          adapter,
          redirectUrl: started.redirectUrl,
          host: new URL(started.redirectUrl).host,
        });
        return;
      }
      const id = await accounts.connectWithForm(adapter.channel, values, actorOf(req), reconnect);
      flash(
        req,
        'success',
        res.locals.t(reconnect ? 'Le compte est reconnecté ; les publications qui l’attendaient partent maintenant.' : 'Le compte est connecté.'),
      );
      res.redirect(`/admin/networks#account-${id}`);
    } catch (err) {
      // A refusal (400) or a network that does not answer (502): the form again, with the reason.
      if (!(err instanceof DomainError) || (err.status !== 400 && err.status !== 502)) throw err;
      const t = res.locals.t;
      const errors = err instanceof ValidationError ? Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, t(v)])) : {};
      await connectPage(req, res, err.status, { values: shown, errors, error: t(err.message, err.vars) });
    }
  });

  // The network sends the administrator back here; a GET that changes state, as OAuth requires,
  // guarded by the state remembered in this administrator's session.
  router.get('/oauth/callback', async (req, res) => {
    const pending = req.session.oauth;
    delete req.session.oauth;
    const query = Object.fromEntries(Object.entries(req.query).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const id = await accounts.finishOAuth(query, pending, actorOf(req));
    flash(
      req,
      'success',
      res.locals.t(pending?.reconnectId ? 'Le compte est reconnecté ; les publications qui l’attendaient partent maintenant.' : 'Le compte est connecté.'),
    );
    res.redirect(`/admin/networks#account-${id}`);
  });

  router.post('/:id/test', async (req, res) => {
    const id = idParam(req.params.id);
    const check = await accounts.test(id, actorOf(req));
    const t = res.locals.t;
    if (check.ok) {
      const named = t('Connexion réussie : le réseau reconnaît le compte « {name} ».', { name: check.name });
      const picture = check.picture === false ? ` ${t('Son image n’a pas pu être récupérée : l’initiale du compte la remplace.')}` : '';
      flash(req, 'success', named + picture);
    } else flash(req, 'error', describeMessage(check.message, t));
    res.redirect(`/admin/networks#account-${id}`);
  });

  async function settingsPage(res: Parameters<Parameters<typeof router.get>[1]>[1], id: number, status = 200, extra: Record<string, unknown> = {}) {
    const account = await accounts.get(id);
    const adapter = accounts.adapterFor(account.channel);
    if (!adapter.settingsFields?.length) throw new NotFoundError('Ce compte n’a pas de réglages.');
    await renderPage(
      res,
      'admin/networks/settings',
      { title: res.locals.t('Réglages de {label}', { label: account.label }), account, adapter, fields: adapter.settingsFields, ...extra },
      status,
    );
  }

  router.get('/:id/settings', async (req, res) => settingsPage(res, idParam(req.params.id)));

  router.post('/:id/settings', async (req, res) => {
    const id = idParam(req.params.id);
    const account = await accounts.get(id);
    const fields = accounts.adapterFor(account.channel).settingsFields ?? [];
    const values = fieldValues(
      req.body,
      fields.map((f) => f.name),
    );
    try {
      await accounts.updateSettings(id, values, actorOf(req));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const t = res.locals.t;
      await settingsPage(res, id, 400, {
        values: {},
        errors: Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, t(v)])),
        error: t(err.message),
      });
      return;
    }
    flash(req, 'success', res.locals.t('Les réglages du compte sont enregistrés : ils valent pour les prochaines publications.'));
    res.redirect(`/admin/networks#account-${id}`);
  });

  router.get('/:id/remove', async (req, res) => {
    const account = await accounts.get(idParam(req.params.id));
    await renderPage(res, 'admin/networks/remove', { title: res.locals.t('Retirer le compte {label}', { label: account.label }), account });
  });

  router.post('/:id/remove', async (req, res) => {
    await accounts.remove(idParam(req.params.id), actorOf(req));
    flash(req, 'success', res.locals.t('Le compte est retiré. Ce qu’il a publié reste dans l’historique des articles.'));
    res.redirect('/admin/networks');
  });

  return router;
}
