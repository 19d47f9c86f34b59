import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
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

/**
 * Checks every state-changing request. Multipart bodies are not parsed yet at this point: routes
 * that accept uploads check after parsing with `csrfAfterUpload` (see media/upload.ts).
 */
export function csrfProtection(exempt: (req: Request) => boolean = () => false) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (SAFE.has(req.method) || exempt(req)) return next();
    if (req.is('multipart/form-data')) return next();
    if (!isValidCsrf(req)) return next(new CsrfError());
    next();
  };
}

export function csrfAfterUpload(req: Request, _res: Response, next: NextFunction) {
  if (!isValidCsrf(req)) return next(new CsrfError());
  next();
}
