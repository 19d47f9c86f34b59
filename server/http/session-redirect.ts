import type { NextFunction, Request, Response } from 'express';

/**
 * A redirect leaves only once the session it follows is stored.
 *
 * express-session stores a changed session at the end of the response, but it sends the headers
 * (and all but the last byte of the body) before that write finishes. A browser follows a
 * redirect on its headers: the next page can be asked for while the session is still being
 * written, and on PostgreSQL, with a pool of connections, that page read the old session. Seen in
 * CI as a login that landed back on the login page; a flash message could be lost the same way.
 * express-session's own advice for redirects is to save first, which this does for every one.
 */
export function saveSessionBeforeRedirect(req: Request, res: Response, next: NextFunction): void {
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    const session = req.session;
    // An empty session (a visitor not logged in, sent to the login page) is not stored at all.
    if (!session || !worthKeeping(session)) return redirect(...args);
    session.save((err) => {
      if (err) return next(err);
      redirect(...args);
    });
  }) as Response['redirect'];
  next();
}

function worthKeeping(session: Request['session']): boolean {
  return session.userId !== undefined || (session.flash?.length ?? 0) > 0 || session.oauth !== undefined || session.locale !== undefined;
}
