import fs from 'node:fs/promises';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Container } from '../container';
import { actorOf, requirePermission } from '../auth/auth.middleware';
import { can, type Permission } from '../auth/permissions';
import type { OwnerType } from './attachments.repository';
import { DomainError, ForbiddenError, NotFoundError, ValidationError } from '../http/errors';
import { flash } from '../http/flash';
import { handleForm } from '../http/form';
import { renderPage } from '../http/render';
import { parseForm } from '../http/validate';
import { translator } from '../i18n/i18n';
import type { Attachment } from './attachments.repository';
import { receiveUpload } from './attachments.receive';
import { describeAttachment, downloadName, publicPath } from './attachments.service';
import { KIND_INFO } from './attachments.sniff';

type Deps = Pick<Container, 'attachments' | 'articles' | 'pages' | 'settings'>;

const Id = z.coerce
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);

function idOf(v: unknown): number {
  const parsed = Id.safeParse(v);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

const TitleSchema = z.object({
  title: z
    .string('Donnez un titre au document.')
    .trim()
    .min(1, 'Donnez un titre au document.')
    .max(200, 'Ce titre est trop long (200 caractères au plus).')
    .refine((v) => !/[\r\n\t]/.test(v), 'Le titre tient sur une seule ligne.'),
});

const SettingsSchema = z.object({
  maxMb: z.coerce
    .number('Indiquez une taille en Mo.')
    .int('Indiquez un nombre entier de Mo.')
    .min(1, 'La taille maximale va de 1 à 200 Mo.')
    .max(200, 'La taille maximale va de 1 à 200 Mo.'),
});

/** How a list shows an attachment: its title, then type and size, as RGAA asks. */
export function attachmentView(a: Attachment) {
  return { id: a.id, title: a.title, info: describeAttachment(a), href: publicPath(a), adminHref: `/admin/attachments/${a.id}/file` };
}

/** Sends a stored file for download: its own type, a safe name, never sniffed by the browser. */
function sendAttachment(c: Deps, res: Response, next: NextFunction, a: Attachment, cache: string): void {
  const name = downloadName(a);
  res.sendFile(
    a.storageKey,
    {
      root: c.attachments.dir,
      dotfiles: 'deny',
      headers: {
        'Content-Type': KIND_INFO[a.kind].type,
        'Content-Disposition': `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': cache,
      },
    },
    (err) => {
      if (!err) return;
      if ((err as { code?: string }).code === 'ECONNABORTED' || (err as { syscall?: string }).syscall === 'write') return;
      if (!res.headersSent) return next(new NotFoundError('Ce document n’existe pas ou plus.'));
    },
  );
}

/**
 * Who owns a file, as the admin shows it: an article (its writers add files) or one of the
 * commune's pages (those who manage pages). The views take this rather than an article.
 */
interface OwnerView {
  type: OwnerType;
  id: number;
  title: string;
  write: Permission;
  uploadAction: string;
  listHref: string;
  formHref: string;
  backHref: string;
  backLabel: string;
  hint: string;
}

async function ownerView(c: Deps, type: OwnerType, id: number): Promise<OwnerView> {
  if (type === 'article') {
    const article = await c.articles.get(id);
    if (!article) throw new NotFoundError('Cet article n’existe pas.');
    return {
      type,
      id,
      title: article.title,
      write: 'articles.write',
      uploadAction: `/admin/articles/${id}/attachments`,
      listHref: `/admin/articles/${id}/attachments`,
      formHref: `/admin/articles/${id}/edit#documents`,
      backHref: `/admin/articles/${id}`,
      backLabel: 'Retour à l’article',
      hint: 'Comptes rendus, arrêtés, menus… Ils apparaissent sous l’article, avec leur type et leur poids, une fois l’article publié.',
    };
  }
  const page = await c.pages.get(id);
  if (!page) throw new NotFoundError('Cette page n’existe pas ou a été supprimée.');
  return {
    type,
    id,
    title: page.title,
    write: 'pages.manage',
    uploadAction: `/admin/pages/${id}/attachments`,
    listHref: `/admin/pages/${id}/attachments`,
    formHref: `/admin/pages/${id}/edit#documents`,
    backHref: `/admin/pages/${id}/edit`,
    backLabel: 'Retour à la page',
    hint: 'Formulaires, règlements, menus de la cantine… Ils apparaissent en bas de la page, avec leur type et leur poids, quand la page est en ligne.',
  };
}

/** The attachments of articles and pages, at /admin: their page, adding (upload), removing, downloading; and the size limit's setting. */
export function attachmentsRoutes(c: Deps): Router {
  const router = Router();
  const canRead = requirePermission('articles.read');
  const OWNERS: { type: OwnerType; base: string; read: Permission; write: Permission }[] = [
    { type: 'article', base: 'articles', read: 'articles.read', write: 'articles.write' },
    { type: 'page', base: 'pages', read: 'pages.manage', write: 'pages.manage' },
  ];

  for (const o of OWNERS) {
    // The edit form shows the attachments as a block of its own (views/admin/attachments/_block.ejs).
    router.use(`/${o.base}/:id/edit`, async (req, res, next) => {
      try {
        const id = Id.safeParse(req.params.id);
        // A missing owner is the edit route's own 404 to give.
        const owner = req.method === 'GET' && id.success && req.user ? await ownerView(c, o.type, id.data).catch(() => null) : null;
        if (owner) {
          res.locals.attachmentOwner = owner;
          res.locals.attachments = (await c.attachments.list(o.type, owner.id)).map(attachmentView);
          res.locals.attachmentsMaxMb = (await c.settings.attachments()).maxMb;
        }
        next();
      } catch (err) {
        next(err);
      }
    });

    router.get(`/${o.base}/:id/attachments`, requirePermission(o.read), async (req, res) => {
      await renderPage(res, 'admin/attachments/index', await pageLocals(res, o.type, idOf(req.params.id)));
    });

    router.post(`/${o.base}/:id/attachments`, requirePermission(o.write), async (req, res) => {
      const ownerId = idOf(req.params.id);
      const owner = await ownerView(c, o.type, ownerId);
      try {
        const { fields, file } = await receiveUpload(req, res, { maxBytes: await c.attachments.maxBytes(), incomingDir: c.attachments.incomingDir });
        const parsed = TitleSchema.safeParse(fields);
        // add() removes the temporary file whatever happens; a refused title must too.
        if (!parsed.success) await fs.rm(file!.path, { force: true });
        const form = parseForm(TitleSchema, fields);
        const added = await c.attachments.add(o.type, ownerId, form.title, file!, actorOf(req));
        flash(req, 'success', res.locals.t('Document « {title} » joint ({info}).', { title: added.title, info: describeAttachment(added) }));
        res.redirect(fields.back === 'form' ? owner.formHref : owner.listHref);
      } catch (err) {
        if (!(err instanceof DomainError) || err.status >= 500 || err.status === 401 || err.status === 403 || err.status === 404) throw err;
        const t = res.locals.t ?? translator('fr');
        const errors = err instanceof ValidationError ? Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, t(v, err.vars)])) : {};
        if (err.status === 413) errors.file = t(err.message, err.vars);
        const title = typeof req.body?.title === 'string' ? req.body.title : '';
        await renderPage(
          res,
          'admin/attachments/index',
          { ...(await pageLocals(res, o.type, ownerId, { title })), errors, error: t(err.message, err.vars) },
          err.status,
        );
      }
    });
  }

  async function pageLocals(res: Response, type: OwnerType, ownerId: number, values: Record<string, unknown> = {}) {
    const owner = await ownerView(c, type, ownerId);
    const maxMb = (await c.settings.attachments()).maxMb;
    const attachments = (await c.attachments.list(type, ownerId)).map(attachmentView);
    return { title: res.locals.t('Documents joints : {title}', { title: owner.title }), attachmentOwner: owner, attachments, maxMb, values };
  }

  // Removing a file takes the right to change its owner: an article's writers, a page's managers.
  router.post('/attachments/:id/delete', requirePermission('articles.read'), async (req, res) => {
    const existing = await c.attachments.get(idOf(req.params.id));
    const owner = await ownerView(c, existing.ownerType, existing.ownerId);
    if (!can(req.user?.role, owner.write)) throw new ForbiddenError();
    const removed = await c.attachments.remove(existing.id, actorOf(req));
    flash(req, 'success', res.locals.t('Document « {title} » retiré.', { title: removed.title }));
    res.redirect(req.body?.back === 'form' ? owner.formHref : owner.listHref);
  });

  router.get('/attachments/:id/file', canRead, async (req, res, next) => {
    const a = await c.attachments.get(idOf(req.params.id));
    sendAttachment(c, res, next, a, 'private, no-store');
  });

  const settingsLocals = (res: Response, values: Record<string, unknown>) => ({ title: res.locals.t('Documents joints'), values });
  router.get('/settings/attachments', requirePermission('settings.manage'), async (_req, res) => {
    await renderPage(res, 'admin/attachments/settings', settingsLocals(res, { ...(await c.settings.attachments()) }));
  });
  router.post('/settings/attachments', requirePermission('settings.manage'), async (req: Request, res) => {
    await handleForm(res, 'admin/attachments/settings', settingsLocals(res, { maxMb: String(req.body?.maxMb ?? '') }), async () => {
      const form = parseForm(SettingsSchema, req.body);
      await c.settings.saveAttachments({ maxMb: form.maxMb }, actorOf(req));
      flash(req, 'success', res.locals.t('Taille maximale des documents joints : {max} Mo.', { max: form.maxMb }));
      res.redirect('/admin/settings/attachments');
    });
  });

  return router;
}

/** Readers' downloads: /documents/<id>/<name>, only while the owner is public (a draft's files are not). */
export function publicAttachmentsRoutes(c: Deps): Router {
  const router = Router();
  router.get('/documents/:id/:name', async (req, res, next) => {
    const id = Id.safeParse(req.params.id);
    const a = id.success ? await c.attachments.publicFile(id.data) : null;
    if (!a) return next(new NotFoundError('Ce document n’existe pas ou plus.'));
    sendAttachment(c, res, next, a, 'public, max-age=300');
  });
  return router;
}
