import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Container } from '../container';
import { actorOf, requirePermission } from '../auth/auth.middleware';
import { csrfAfterUpload } from '../http/csrf';
import { ConflictError, DomainError, ValidationError } from '../http/errors';
import { flash } from '../http/flash';
import { handleForm } from '../http/form';
import { pageFrom, pager } from '../http/pagination';
import { renderPage } from '../http/render';
import { parseForm } from '../http/validate';
import { translator } from '../i18n/i18n';
import { CONTENT_TYPES } from './media.files';
import { listQuery, mediaId, MediaMetaSchema } from './media.schemas';
import { pictureOf } from './media.picture';
import type { MediaItem } from './media.types';
import type { MediaUsage } from './media.usage';
import { acceptUpload, MAX_UPLOAD_BYTES } from './upload';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'media' | 'settings'>;

const PER_PAGE = 24;

function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json';
}

/** What the article editor's picker needs of an image. */
function pickerItem(m: MediaItem) {
  return { id: m.id, name: m.originalName, alt: m.alt, previewUrl: m.previewUrl, width: m.width, height: m.height, status: m.status };
}

function showLocals(item: MediaItem, usedBy: MediaUsage, values: { alt: string; credit: string }) {
  return { title: item.originalName, item, usedBy, values, picture: pictureOf(item) };
}

/**
 * The media library, mounted at /admin: /admin/media (page, upload), /admin/media.json (the
 * picker's list), /admin/media/:id (details, alt text, deletion).
 */
export function mediaRoutes(c: Deps): Router {
  const router = Router();
  const canRead = requirePermission('media.read');
  const canWrite = requirePermission('media.write');

  async function libraryLocals(req: Request, res: Response) {
    const { q } = listQuery(req.query);
    const page = pageFrom(req.query, PER_PAGE);
    const { rows, total } = await c.media.list({ q, limit: page.limit, offset: page.offset });
    return { title: res.locals.t('Médiathèque'), items: rows, q, pager: pager(page, total), query: q ? { q } : {}, maxMb: MAX_UPLOAD_BYTES / 1024 / 1024 };
  }

  router.get('/media', canRead, async (req, res) => {
    await renderPage(res, 'admin/media/index', await libraryLocals(req, res));
  });

  router.get('/media.json', canRead, async (req, res) => {
    const { q } = listQuery(req.query);
    const page = pageFrom(req.query, PER_PAGE);
    const { rows, total } = await c.media.list({ q, limit: page.limit, offset: page.offset });
    const p = pager(page, total);
    res.json({ items: rows.map(pickerItem), total, page: p.page, pages: p.pages });
  });

  router.post(
    '/media',
    canWrite,
    acceptUpload,
    csrfAfterUpload,
    async (req: Request, res: Response) => {
      const meta = parseForm(MediaMetaSchema, req.body);
      if (!req.file) throw new ValidationError('Choisissez une image à envoyer.', { file: 'Choisissez une image à envoyer.' });
      const item = await c.media.ingest(req.file.buffer, req.file.originalname, meta, actorOf(req));
      if (wantsJson(req)) {
        res.status(201).json({
          id: item.id,
          previewUrl: item.previewUrl,
          status: item.status,
          alt: item.alt,
          name: item.originalName,
          width: item.width,
          height: item.height,
        });
        return;
      }
      if (!item.alt) {
        flash(
          req,
          'info',
          res.locals.t('Image ajoutée. Décrivez-la maintenant en quelques mots : ce texte alternatif est lu aux personnes qui ne la voient pas.'),
        );
        res.redirect(`/admin/media/${item.id}#alt`);
        return;
      }
      flash(req, 'success', res.locals.t('Image ajoutée à la médiathèque.'));
      res.redirect('/admin/media');
    },
    // Same page again with the message (too large, not an image…), or JSON for the editor's fetch.
    async (err: unknown, req: Request, res: Response, next: NextFunction) => {
      if (!(err instanceof DomainError) || err.status >= 500 || err.status === 401 || err.status === 403) return next(err);
      const t = res.locals.t ?? translator('fr');
      const fields = err instanceof ValidationError ? Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, t(v)])) : {};
      if (err.status === 413) fields.file = t(err.message, err.vars);
      if (wantsJson(req)) {
        res.status(err.status).json({ error: t(err.message, err.vars), fields });
        return;
      }
      const body = (req.body ?? {}) as Record<string, unknown>;
      const values = { alt: typeof body.alt === 'string' ? body.alt : '', credit: typeof body.credit === 'string' ? body.credit : '' };
      await renderPage(res, 'admin/media/index', { ...(await libraryLocals(req, res)), values, errors: fields, error: t(err.message, err.vars) }, err.status);
    },
  );

  router.get('/media/:id.json', canRead, async (req, res) => {
    const item = await c.media.get(mediaId(req.params.id));
    res.json({ ...pickerItem(item), credit: item.credit, variants: item.variants });
  });

  router.get('/media/:id', canRead, async (req, res) => {
    const { item, usedBy } = await c.media.details(mediaId(req.params.id));
    await renderPage(res, 'admin/media/show', showLocals(item, usedBy, { alt: item.alt, credit: item.credit }));
  });

  router.post('/media/:id', canWrite, async (req, res) => {
    const { item, usedBy } = await c.media.details(mediaId(req.params.id));
    const values = { alt: String(req.body?.alt ?? ''), credit: String(req.body?.credit ?? '') };
    await handleForm(res, 'admin/media/show', showLocals(item, usedBy, values), async () => {
      const meta = parseForm(MediaMetaSchema, req.body);
      await c.media.updateMeta(item.id, meta, actorOf(req));
      flash(req, 'success', res.locals.t('Description de l’image enregistrée.'));
      res.redirect(`/admin/media/${item.id}`);
    });
  });

  router.post('/media/:id/delete', canWrite, async (req, res) => {
    const { item, usedBy } = await c.media.details(mediaId(req.params.id));
    await handleForm(res, 'admin/media/show', showLocals(item, usedBy, { alt: item.alt, credit: item.credit }), async () => {
      if ((await c.settings.get()).logoMediaId === item.id) {
        throw new ConflictError('Cette image est le logo de la commune : choisissez un autre logo dans les paramètres avant de la supprimer.');
      }
      await c.media.delete(item.id, actorOf(req));
      flash(req, 'success', res.locals.t('Image « {name} » supprimée.', { name: item.originalName }));
      res.redirect('/admin/media');
    });
  });

  return router;
}

/**
 * Serves image variants from DATA_DIR/media, before sessions: no cookie, no database. Names are
 * checked against a strict pattern before the file system is asked anything, so "..", encoded
 * slashes or the kept source file can never be reached.
 */
export function mediaFilesRoutes(c: Deps): Router {
  const router = Router();
  const notFound = (res: Response) => res.status(404).type('text').send(translator('fr')('Cette image n’existe pas ou plus.'));

  router.get('/media/:id/:file', (req, res, next) => {
    const rel = c.media.servedFile(req.params.id, req.params.file);
    if (!rel) return notFound(res);
    const ext = rel.slice(rel.lastIndexOf('.') + 1);
    res.sendFile(
      rel,
      {
        root: c.media.mediaDir,
        dotfiles: 'deny',
        maxAge: 365 * 24 * 3600 * 1000,
        immutable: true,
        headers: { 'Content-Type': CONTENT_TYPES[ext] ?? 'application/octet-stream' },
      },
      (err) => {
        if (!err) return;
        // The reader left mid-download (a page closed, a scroll past a lazy image): nothing failed
        // here and nobody is left to answer. Express's own default treats these the same way.
        if ((err as { code?: string }).code === 'ECONNABORTED' || (err as { syscall?: string }).syscall === 'write') return;
        if ((err as { code?: string }).code === 'ENOENT' || (err as { status?: number }).status === 404) {
          if (!res.headersSent) notFound(res);
          return;
        }
        next(err);
      },
    );
  });
  router.get('/media/{*rest}', (_req, res) => notFound(res));

  return router;
}
