import { Writable } from 'node:stream';
import pino from 'pino';

export interface LogLine {
  level: number;
  msg?: string;
  err?: { message?: string; stack?: string };
  req?: { url?: string };
  [key: string]: unknown;
}

/** pino's "error" level: a line at or above it is a failure someone must look at. */
export const ERROR_LEVEL = 50;

/** A pino logger whose lines land in `lines`, parsed, for createTestContext's `log` override. */
export function captureLog(level = 'info'): { log: pino.Logger; lines: LogLine[]; errors: () => string[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const errors = () =>
    lines
      .filter((l) => l.level >= ERROR_LEVEL)
      .map((l) => `${l.msg ?? ''} ${l.req?.url ?? ''} ${l.err?.message ?? ''} ${(l.err?.stack ?? '').split('\n').slice(1, 3).join(' ')}`.trim());
  return { log: pino({ level }, sink), lines, errors };
}
