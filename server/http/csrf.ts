import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { DomainError } from './errors';

/**
 * Synchronizer-token CSRF protection: one random token per session, sent back by every form as
 * `_csrf` (or by scripts as the `X-CSRF-Token` header) and compared in constant time.
 */
export function csrfToken(req: Request): string {
  if (!req.session.csrf) req.session.csrf = crypto.randomBytes(32).toString('base64url');
  return req.session.csrf;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export class CsrfError extends DomainError {
  constructor() {
    super('Le formulaire a expiré ou ne vient pas de ce site. Rechargez la page et recommencez.', 403);
  }
}

export function isValidCsrf(req: Request): boolean {
  const expected = req.session?.csrf;
  const body = req.body as Record<string, unknown> | undefined;
  const sent = (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? req.get('x-csrf-token');
  if (!expected || typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

// A multipart body on a route that takes no upload: its text fields are read (no file, small
// limits) so that the token is checked like any other form's.
const fieldsOnly = multer({ limits: { files: 0, fields: 50, fieldSize: 64 * 1024, parts: 50 } }).none();

/**
 * Mounted on /admin only (app.ts): the public site has no session, so its few POSTs protect
 * themselves. The newsletter's one-click unsubscribe (/lettre/desabonner/<token>) must take a POST
 * from mail software with no session and no token (RFC 8058): its signed link is the proof. The
 * subscription form on cached pages checks the request's origin instead (subscribe.routes.ts).
 *
 * Checks every state-changing request, whatever its content type. Multipart bodies are parsed
 * here for their fields, except on the upload routes named by `checkedAfterUpload`: those parse
 * the file themselves and must run `csrfAfterUpload` before anything else (the route-matrix test
 * sends every POST without a token in every encoding and expects 403).
 */
export function csrfProtection(opts: { checkedAfterUpload?: (req: Request) => boolean } = {}) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE.has(req.method)) return next();
    if (req.is('multipart/form-data')) {
      if (opts.checkedAfterUpload?.(req)) return next();
      // A token in the header needs no parsing; otherwise a body that cannot be read cannot prove
      // where it comes from.
      if (isValidCsrf(req)) return next();
      return fieldsOnly(req, res, (err: unknown) => next(err || !isValidCsrf(req) ? new CsrfError() : undefined));
    }
    if (!isValidCsrf(req)) return next(new CsrfError());
    next();
  };
}

export function csrfAfterUpload(req: Request, _res: Response, next: NextFunction) {
  if (!isValidCsrf(req)) return next(new CsrfError());
  next();
}
