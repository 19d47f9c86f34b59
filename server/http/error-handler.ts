import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger';
import { DomainError, TooManyRequestsError } from './errors';
import { renderPage } from './render';
import { translator } from '../i18n/i18n';
import { scrubUrl } from './log-safety';

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  code?: string;
  expose?: boolean;
}

/** Maps any error to a status and a sentence a town-hall employee understands. */
export function describeError(err: unknown): { status: number; message: string; vars: Record<string, string | number> } {
  if (err instanceof DomainError) return { status: err.status, message: err.message, vars: err.vars };
  const e = (err ?? {}) as HttpishError;
  if (e.code === 'LIMIT_FILE_SIZE') return { status: 413, message: 'Ce fichier est trop lourd : 20 Mo au plus.', vars: {} };
  if (typeof e.code === 'string' && e.code.startsWith('LIMIT_'))
    return { status: 400, message: 'Ce formulaire contient trop de champs ou de fichiers.', vars: {} };
  if (e.type === 'entity.too.large') return { status: 413, message: 'Le formulaire envoyé est trop volumineux.', vars: {} };
  if (e.type === 'entity.parse.failed' || e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
    return { status: 400, message: 'La requête est mal formée.', vars: {} };
  }
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, message: 'La requête est mal formée.', vars: {} };
  return { status: 500, message: 'Une erreur inattendue s’est produite. Elle a été enregistrée ; réessayez dans un instant.', vars: {} };
}

/** The error page's heading, which its <title> repeats (RGAA 8.6: a title that says what the page is). */
export function errorHeading(status: number): string {
  if (status === 404) return 'Page introuvable';
  if (status === 403) return 'Accès refusé';
  if (status >= 500) return 'Erreur du serveur';
  return 'Requête refusée';
}

/**
 * JSON for the API and for scripts that ask for it; a JSON body alone decides only when the
 * client states no preference, so a browser (which asks for HTML) always gets the error page.
 */
function wantsJson(req: Request): boolean {
  if (req.path.startsWith('/api/')) return true;
  if (req.accepts(['html', 'json']) === 'json') return true;
  return !/html/i.test(req.get('accept') ?? '') && !!req.is('application/json');
}

type PageLocals = (req: Request, res: Response, next: NextFunction) => unknown;

/**
 * `pageLocals` (templateLocals) fills what the layouts need when the error came before it ran:
 * a body the parsers refused, an error in a route mounted before the locals.
 */
export function errorHandler(log: Logger, pageLocals?: PageLocals) {
  // Express recognises error handlers by their four parameters.
  return async (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { status, message, vars } = describeError(err);
    if (status >= 500) log.error({ err, url: scrubUrl(req.originalUrl), method: req.method }, 'unexpected error');
    if (res.headersSent) return;
    if (err instanceof TooManyRequestsError) res.set('Retry-After', String(err.retryAfterSeconds));
    // A failure here leaves the bare locals below: the page may still render, else the text does.
    if (!res.locals.t && pageLocals) await new Promise<void>((resolve) => void pageLocals(req, res, () => resolve()));
    const t = (res.locals.t as ReturnType<typeof translator> | undefined) ?? translator('fr');
    const text = t(message, vars);
    if (wantsJson(req)) {
      res.status(status).json({ error: text });
      return;
    }
    try {
      const layout = req.path.startsWith('/admin') ? 'admin/layout' : 'site/layout';
      const heading = t(errorHeading(status));
      await renderPage(res, 'error', { title: heading, heading, status, message: text, layout }, status);
    } catch (renderErr) {
      log.error({ err: renderErr }, 'error page failed to render');
      res.status(status).type('text').send(text);
    }
  };
}
