import type { DestinationStream } from 'pino';

/**
 * How log lines are written. A person watching `npm start` in a terminal reads one short line per
 * request ("09:41:07 GET /admin 200 12 ms") and a short line per event; anything else (a file, a
 * pipe, systemd, Docker) gets pino's JSON, one object per line, for log tools.
 *
 * Both are made from the same serialized record: the request's URL has already been scrubbed by
 * log-safety.ts and pino's redaction has run, so the short form can hold no more than the JSON.
 */
export type LogFormat = 'auto' | 'pretty' | 'json';

export function usePretty(format: LogFormat, stream: { isTTY?: boolean } = process.stdout): boolean {
  return format === 'pretty' || (format === 'auto' && !!stream.isTTY);
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

// Fields pino adds to every line, and those the short form shows in its own way.
const SKIPPED = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'req', 'res', 'err', 'responseTime', 'module', 'v']);

function clock(time: unknown): string {
  const d = new Date(typeof time === 'number' ? time : Date.now());
  return d.toISOString().slice(11, 19);
}

function scalar(v: unknown): string | null {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** One JSON log record as a short human line (exported for the tests). */
export function shortLine(json: string): string {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const time = clock(r.time);
  const level = typeof r.level === 'number' ? r.level : 30;
  const req = r.req as { method?: string; url?: string } | undefined;
  const res = r.res as { statusCode?: number } | undefined;
  // pino-http's line at the end of a request.
  if (req && res && typeof r.responseTime === 'number') {
    const flag = level >= 50 ? ' ERROR' : level >= 40 ? ' WARN' : '';
    return `${time} ${req.method ?? '?'} ${req.url ?? ''} ${res.statusCode ?? '-'} ${Math.round(r.responseTime)} ms${flag}`;
  }
  const parts = [time];
  if (level !== 30) parts.push(LEVELS[level] ?? String(level));
  if (typeof r.module === 'string') parts.push(`[${r.module}]`);
  if (typeof r.msg === 'string') parts.push(r.msg);
  for (const [k, v] of Object.entries(r)) {
    if (SKIPPED.has(k)) continue;
    const s = scalar(v);
    if (s !== null) parts.push(`${k}=${s}`);
  }
  const err = r.err as { message?: string; type?: string } | undefined;
  if (err?.message) parts.push(`— ${err.type ? `${err.type}: ` : ''}${err.message}`);
  return parts.join(' ');
}

/** A pino destination writing short lines to `out` (the terminal). */
export function prettyDestination(out: NodeJS.WritableStream = process.stdout): DestinationStream {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line.trim()) out.write(`${shortLine(line)}\n`);
    },
  };
}
