import fs from 'node:fs/promises';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Container } from '../container';
import { actorOf, requirePermission } from '../auth/auth.middleware';
import { DomainError, NotFoundError, ValidationError } from '../http/errors';
import { flash } from '../http/flash';
import { handleForm } from '../http/form';
import { renderPage } from '../http/render';
import { parseForm } from '../http/validate';
import { translator } from '../i18n/i18n';
import type { Attachment } from './attachments.repository';
import { receiveUpload } from './attachments.receive';
import { describeAttachment, downloadName, publicPath } from './attachments.service';
import { KIND_INFO } from './attachments.sniff';

type Deps = Pick<Container, 'attachments' | 'articles' | 'settings'>;

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

/** The attachments of articles, at /admin: their page, adding (upload), removing, downloading; and the size limit's setting. */
export function attachmentsRoutes(c: Deps): Router {
  const router = Router();
  const canRead = requirePermission('articles.read');
  const canWrite = requirePermission('articles.write');

  // The article form shows the attachments as a block of its own (views/admin/attachments/_block.ejs).
  router.use('/articles/:id/edit', async (req, res, next) => {
    try {
      const id = Id.safeParse(req.params.id);
      if (req.method === 'GET' && id.success && req.user) {
        res.locals.attachments = (await c.attachments.list('article', id.data)).map(attachmentView);
        res.locals.attachmentsMaxMb = (await c.settings.attachments()).maxMb;
      }
      next();
    } catch (err) {
      next(err);
    }
  });

  async function pageLocals(res: Response, articleId: number, values: Record<string, unknown> = {}) {
    const article = await c.articles.get(articleId);
    if (!article) throw new NotFoundError('Cet article n’existe pas.');
    const maxMb = (await c.settings.attachments()).maxMb;
    const attachments = (await c.attachments.list('article', articleId)).map(attachmentView);
    return { title: res.locals.t('Documents joints : {title}', { title: article.title }), article, attachments, maxMb, values };
  }

  router.get('/articles/:id/attachments', canRead, async (req, res) => {
    await renderPage(res, 'admin/attachments/index', await pageLocals(res, idOf(req.params.id)));
  });

  router.post('/articles/:id/attachments', canWrite, async (req, res) => {
    const articleId = idOf(req.params.id);
    try {
      const { fields, file } = await receiveUpload(req, res, { maxBytes: await c.attachments.maxBytes(), incomingDir: c.attachments.incomingDir });
      const parsed = TitleSchema.safeParse(fields);
      // add() removes the temporary file whatever happens; a refused title must too.
      if (!parsed.success) await fs.rm(file!.path, { force: true });
      const form = parseForm(TitleSchema, fields);
      const added = await c.attachments.add('article', articleId, form.title, file!, actorOf(req));
      flash(req, 'success', res.locals.t('Document « {title} » joint ({info}).', { title: added.title, info: describeAttachment(added) }));
      res.redirect(fields.back === 'form' ? `/admin/articles/${articleId}/edit#documents` : `/admin/articles/${articleId}/attachments`);
    } catch (err) {
      if (!(err instanceof DomainError) || err.status >= 500 || err.status === 401 || err.status === 403 || err.status === 404) throw err;
      const t = res.locals.t ?? translator('fr');
      const errors = err instanceof ValidationError ? Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, t(v, err.vars)])) : {};
      if (err.status === 413) errors.file = t(err.message, err.vars);
      const title = typeof req.body?.title === 'string' ? req.body.title : '';
      await renderPage(
        res,
        'admin/attachments/index',
        { ...(await pageLocals(res, articleId, { title })), errors, error: t(err.message, err.vars) },
        err.status,
      );
    }
  });

  router.post('/attachments/:id/delete', canWrite, async (req, res) => {
    const removed = await c.attachments.remove(idOf(req.params.id), actorOf(req));
    flash(req, 'success', res.locals.t('Document « {title} » retiré.', { title: removed.title }));
    res.redirect(req.body?.back === 'form' ? `/admin/articles/${removed.ownerId}/edit#documents` : `/admin/articles/${removed.ownerId}/attachments`);
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
