import { Router, type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import type { Container } from '../container';
import { actorOf, requirePermission } from '../auth/auth.middleware';
import { csrfAfterUpload } from '../http/csrf';
import { containsNul, NulCharacterError } from '../http/nul-guard';
import { flash } from '../http/flash';
import { handleForm } from '../http/form';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../http/errors';
import { pageFrom, pager } from '../http/pagination';
import { renderPage } from '../http/render';
import { parseForm, str } from '../http/validate';
import { CURRENT_SUBSCRIBE_WORDING, SUBSCRIBE_WORDINGS } from './consent';
import type { ImportMode } from './subscribers-admin.service';
import { agreedWording, IdParam, ImportSchema, ListQuerySchema, DeskSchema } from './subscribers.schemas';

// The versions of the site's sentence an import may name, newest first.
const WORDINGS = Object.entries(SUBSCRIBE_WORDINGS)
  .map(([version, text]) => ({ version, text }))
  .reverse();

function importValues(body: Record<string, unknown>) {
  return { basis: str(body.basis) ?? '', mode: modeOf(body.mode), wording: str(body.wording) ?? '', wordingText: str(body.wordingText) ?? '' };
}

type Deps = Pick<Container, 'subscribersAdmin'>;

const PER_PAGE = 50;
// A file re-sent with the preview's confirmation as a form field: urlencoded bodies stop at 1 MB.
const MAX_FILE_BYTES = 500 * 1024;
const TOO_LARGE = 'Ce fichier est trop lourd : 500 Ko au plus (environ 15 000 adresses). Découpez-le en plusieurs fichiers.';

const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 10, fieldSize: 4096, parts: 12 } }).single(
  'file',
);

/** Parses the multipart body; its errors become sentences (a cut-off or forged stream is the sender's, not a 500). */
function acceptCsv(req: Request, res: Response, next: NextFunction) {
  upload(req, res, (err: unknown) => {
    if (!err) return next(containsNul(req.body) ? new NulCharacterError() : undefined);
    if (err instanceof multer.MulterError) {
      if (err.code === 'LIMIT_FILE_SIZE') return next(new PayloadTooLargeError(TOO_LARGE));
      return next(new ValidationError('Envoyez un seul fichier CSV, avec le formulaire d’import.'));
    }
    next(new ValidationError('Le formulaire envoyé est incomplet ou mal formé : rechargez la page puis réessayez.'));
  });
}

function idOf(req: Request): number {
  const parsed = IdParam.safeParse(req.params.id);
  if (!parsed.success) throw new NotFoundError('Cet abonné n’existe pas ou a été effacé.');
  return parsed.data;
}

function modeOf(v: unknown): ImportMode {
  return v === 'double-opt-in' ? 'double-opt-in' : 'confirmed';
}

/**
 * The staff's side of the list (/admin/subscribers): search and filters with counts, a CSV import
 * checked row by row and previewed before anything is written, the export, erasure on request,
 * and the registration of a resident at the desk. Rules live in SubscribersAdminService.
 */
export function subscribersAdminRoutes(c: Deps): Router {
  const router = Router();
  router.use(requirePermission('subscribers.manage'));
  const admin = c.subscribersAdmin;

  async function listLocals(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const filter = ListQuerySchema.parse({ q: str(req.query.q), status: str(req.query.status), topic: str(req.query.topic) });
    const page = pageFrom(req.query, PER_PAGE);
    const list = await admin.list({ ...filter, limit: page.limit, offset: page.offset });
    const query: Record<string, string> = {};
    if (filter.q) query.q = filter.q;
    if (filter.status) query.status = filter.status;
    if (filter.topic) query.topic = String(filter.topic);
    return {
      title: res.locals.t('Abonnés à la lettre'),
      ...list,
      filter,
      pager: pager(page, list.total),
      query,
      topicName: (id: number) => list.topics.find((t) => t.id === id)?.name ?? String(id),
      wordingText: SUBSCRIBE_WORDINGS[CURRENT_SUBSCRIBE_WORDING],
      values: {},
      ...extra,
    };
  }

  router.get('/', async (req, res) => {
    await renderPage(res, 'admin/subscribers/index', await listLocals(req, res));
  });

  router.get('/import', async (_req, res) => {
    await renderPage(res, 'admin/subscribers/import', { title: res.locals.t('Importer des abonnés'), values: { mode: 'confirmed' }, wordings: WORDINGS });
  });

  // Step 1: the file is read and each row checked; nothing is written.
  router.post('/import', acceptCsv, csrfAfterUpload, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = importValues(body);
    await handleForm(res, 'admin/subscribers/import', { title: res.locals.t('Importer des abonnés'), values, wordings: WORDINGS }, async () => {
      const form = parseForm(ImportSchema, body);
      if (!req.file?.buffer.length) throw new ValidationError('Choisissez le fichier CSV à importer.', { file: 'Choisissez le fichier CSV à importer.' });
      const csv = req.file.buffer.toString('utf8');
      if (csv.includes('\uFFFD')) throw new ValidationError('Ce fichier n’est pas enregistré en UTF-8 : enregistrez-le en « CSV UTF-8 » et recommencez.');
      // The file goes back in the preview's form, whose confirmation the NUL guard would refuse: said now.
      if (csv.includes('\0'))
        throw new ValidationError('Ce fichier contient un caractère nul, qui n’est pas accepté : enregistrez-le de nouveau en « CSV UTF-8 » et recommencez.');
      const agreed = values.mode === 'confirmed' ? agreedWording(form) : null;
      const analysis = await admin.analyse(csv);
      await renderPage(res, 'admin/subscribers/preview', {
        title: res.locals.t('Vérifier l’import'),
        analysis,
        csv,
        basis: form.basis,
        mode: values.mode,
        agreed,
        wording: form.wording ?? '',
        wordingText: form.wordingText ?? '',
        wordings: WORDINGS,
      });
    });
  });

  // Step 2: the same file, confirmed; checked again and written in one transaction.
  router.post('/import/confirm', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = importValues(body);
    await handleForm(res, 'admin/subscribers/import', { title: res.locals.t('Importer des abonnés'), values, wordings: WORDINGS }, async () => {
      const form = parseForm(ImportSchema, body);
      const agreed = values.mode === 'confirmed' ? agreedWording(form) : undefined;
      if (!form.csv) throw new ValidationError('Choisissez le fichier CSV à importer.', { file: 'Choisissez le fichier CSV à importer.' });
      const done = await admin.import(form.csv, form.basis, values.mode, actorOf(req), agreed);
      flash(
        req,
        'success',
        values.mode === 'double-opt-in'
          ? res.locals.t('{n} adresses importées : chacune a reçu un e-mail de confirmation. {refused} lignes refusées.', {
              n: done.imported,
              refused: done.refused,
            })
          : res.locals.t('{n} adresses importées et abonnées. {refused} lignes refusées.', { n: done.imported, refused: done.refused }),
      );
      res.redirect(303, '/admin/subscribers');
    });
  });

  // A POST (with the form's token), so that no prefetch or stray link makes an export; audited.
  router.post('/export', async (req, res) => {
    const { csv } = await admin.exportCsv(actorOf(req));
    res.set('Cache-Control', 'no-store');
    res.set('Content-Disposition', 'attachment; filename="abonnes-lettre.csv"');
    res.type('text/csv; charset=utf-8').send(csv);
  });

  router.post('/desk', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = { email: str(body.email) ?? '', topics: body.topics, alertsOnly: body.alertsOnly, basis: str(body.basis) ?? '' };
    await handleForm(res, 'admin/subscribers/index', await listLocals(req, res, { values, deskOpen: true }), async () => {
      const form = parseForm(DeskSchema, body);
      await admin.deskSubscribe(form, actorOf(req));
      flash(
        req,
        'success',
        res.locals.t('Un e-mail de confirmation est parti vers {email}. L’inscription comptera dès que la personne aura suivi son lien.', {
          email: form.email,
        }),
      );
      res.redirect(303, '/admin/subscribers');
    });
  });

  router.get('/:id/erase', async (req, res) => {
    const subscriber = await admin.get(idOf(req));
    await renderPage(res, 'admin/subscribers/erase', { title: res.locals.t('Effacer un abonné'), subscriber });
  });

  router.post('/:id/erase', async (req, res) => {
    const subscriber = await admin.get(idOf(req));
    await handleForm(res, 'admin/subscribers/erase', { title: res.locals.t('Effacer un abonné'), subscriber }, async () => {
      if (str((req.body as Record<string, unknown> | undefined)?.confirm) !== 'oui') {
        throw new ValidationError('Cochez la case pour confirmer l’effacement.');
      }
      await admin.erase(subscriber.id, actorOf(req));
      flash(
        req,
        'success',
        res.locals.t('L’abonné a été effacé. Seule une empreinte chiffrée de son adresse est gardée, pour qu’elle ne soit pas réimportée.'),
      );
      res.redirect(303, '/admin/subscribers');
    });
  });

  return router;
}
