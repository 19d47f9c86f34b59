import type { NextFunction, Request, Response } from 'express';

/**
 * A redirect leaves only once the session it follows is stored.
 *
 * express-session stores a changed session at the end of the response, but it sends the headers
 * (and all but the last byte of the body) before that write finishes. A browser follows a
 * redirect on its headers: the next page can be asked for while the session is still being
 * written, and on PostgreSQL, with a pool of connections, that page read the old session. Seen in
 * CI as a login that landed back on the login page; a flash message could be lost the same way.
 * express-session's own advice for redirects is to save first, which this does for every one
 * whose session changed (a new one at login, a message, a language): once saved, express-session
 * does not write it again at the end.
 */
export function saveSessionBeforeRedirect(req: Request, res: Response, next: NextFunction): void {
  const before = { id: req.sessionID, data: contentOf(req.session) };
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    const session = req.session;
    // Destroyed (a logout), or unchanged: nothing to wait for.
    if (!session || (req.sessionID === before.id && contentOf(session) === before.data)) return redirect(...args);
    session.save((err) => {
      if (err) return next(err);
      redirect(...args);
    });
  }) as Response['redirect'];
  next();
}

/** The session's own data; the cookie's expiry moves on every request and is not a change. */
function contentOf(session: Request['session'] | undefined): string {
  if (!session) return '';
  const { cookie: _cookie, ...data } = session;
  return JSON.stringify(data);
}
