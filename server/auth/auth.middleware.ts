import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ForbiddenError } from '../http/errors';
import type { User, UsersRepository } from './users.repository';
import { can, type Permission } from './permissions';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      user?: User;
    }
  }
}

/** Puts the logged-in, enabled user on req.user; a disabled account loses its session. */
export function loadUser(users: UsersRepository): RequestHandler {
  return async (req, _res, next) => {
    try {
      const id = req.session?.userId;
      if (id) {
        const user = await users.findById(id);
        if (user && !user.disabledAt) req.user = user;
        else delete req.session.userId;
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}

function wantsJson(req: Request): boolean {
  return req.path.startsWith('/api/') || (!!req.get('accept')?.includes('application/json') && !req.accepts('html'));
}

/** Anonymous visitors are sent to the login page (or get a 401 in JSON); others need the permission. */
export function requirePermission(permission: Permission): RequestHandler {
  const handler = (req: Request, res: Response, next: NextFunction) => {
    if (!req.user) {
      if (wantsJson(req) || req.method !== 'GET') {
        res.status(401).json({ error: 'Connectez-vous pour continuer.' });
        return;
      }
      res.redirect(`/admin/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    if (!can(req.user.role, permission)) return next(new ForbiddenError());
    next();
  };
  // Lets the route-matrix test find which permission guards each route.
  return Object.assign(handler, { permission });
}

export const requireLogin = requirePermission('admin.access');

/** The actor recorded in the audit log for the current request. */
export function actorOf(req: Request): { id: number | null; label: string } {
  return req.user ? { id: req.user.id, label: req.user.displayName } : { id: null, label: 'anonyme' };
}
