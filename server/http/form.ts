import type { Response } from 'express';
import { DomainError, ValidationError } from './errors';
import { renderPage } from './render';

/**
 * Runs a form's action; when it fails with a user error (validation, conflict, throttling…),
 * re-renders the same page with the message, the per-field errors and the 4xx status, so the
 * values typed are kept. Anything else goes on to the error handler.
 */
export async function handleForm(res: Response, view: string, locals: Record<string, unknown>, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (err instanceof DomainError && err.status < 500) {
      const t = res.locals.t as (k: string, v?: Record<string, unknown>) => string;
      const fields = err instanceof ValidationError ? err.fields : {};
      // A field's message may use the error's values too ("a {length} caractères").
      const errors = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, t(v, err.vars)]));
      if ('retryAfterSeconds' in err) res.set('Retry-After', String(err.retryAfterSeconds));
      await renderPage(res, view, { ...locals, errors, error: t(err.message, err.vars) }, err.status);
      return;
    }
    throw err;
  }
}
