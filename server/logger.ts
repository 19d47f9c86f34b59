import pino, { type Logger } from 'pino';
import { safeError } from './http/log-safety';
import { prettyDestination, usePretty, type LogFormat } from './log-format';

export type { Logger };

/**
 * The process's logger; tests pass a destination to read every line it writes. Without one, a
 * terminal gets short lines and anything else JSON (log-format.ts).
 */
export function createLogger(level: string, destination?: pino.DestinationStream, format: LogFormat = 'auto'): Logger {
  return pino(
    {
      level,
      redact: {
        paths: ['password', '*.password', 'token', '*.token', 'req.headers.cookie', 'req.headers.authorization'],
        censor: '[hidden]',
      },
      serializers: { err: safeError },
    },
    destination ?? (usePretty(format) ? prettyDestination() : undefined),
  );
}

/** "marie.dupont@example.fr" → "m***@example.fr": logs must never hold a full address. */
export function maskEmail(email: string): string {
  const at = email.indexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}
