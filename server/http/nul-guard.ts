import type { NextFunction, Request, Response } from 'express';
import { ValidationError } from './errors';

/**
 * PostgreSQL refuses the NUL character in text (and SQLite cuts strings at it), so a NUL that
 * reached a query turned an odd request into a 500. Nobody types one: it comes from a forged
 * request or a broken copy-paste. Refused, never stripped, wherever it appears (address, query,
 * form, JSON or multipart field, field name), so that what is stored is always exactly what was
 * sent and there is one rule to remember. The upload form's fields are checked where it is parsed
 * (media/upload.ts).
 */
export const NUL_MESSAGE = 'La requête contient un caractère nul, qui n’est pas accepté : retirez-le puis réessayez.';

export class NulCharacterError extends ValidationError {
  constructor() {
    super(NUL_MESSAGE);
  }
}

/** True when a parsed body (strings, arrays, objects, any depth) holds a NUL in a key or a value. */
export function containsNul(value: unknown): boolean {
  // A stack rather than recursion: a JSON body may nest deeper than the call stack allows.
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\0')) return true;
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item); // not push(...v): a long array would overflow the arguments
    } else if (v && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        if (k.includes('\0')) return true;
        stack.push(inner);
      }
    }
  }
  return false;
}

/** %00 is the only way a NUL fits in a URL (Node refuses a raw one). */
const ENCODED_NUL = /%00/;

/** Runs after the body parsers and the CSRF check, before any route: a NUL anywhere answers 400 with the error page. */
export function refuseNul(req: Request, _res: Response, next: NextFunction): void {
  if (ENCODED_NUL.test(req.originalUrl) || containsNul(req.body)) return next(new NulCharacterError());
  next();
}
