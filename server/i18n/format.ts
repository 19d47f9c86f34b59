import { DATE_LOCALE, type Locale } from './i18n';

const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * An Intl.DateTimeFormat built once per locale and options: building one costs 0.07 ms in a tight
 * loop and was 8 % of a profiled article-page render (its date and its related cards'), using one
 * a microsecond. Few distinct options exist, so the map stays small.
 */
export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale} ${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.DateTimeFormat(locale, options)));
  return f;
}

/** Dates are stored in UTC and always shown in the commune's time zone. */
export function formatDateTime(d: Date | null | undefined, locale: Locale, timeZone: string): string {
  if (!d) return '';
  return dateTimeFormat(DATE_LOCALE[locale], {
    timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(d);
}

export function formatDate(d: Date | null | undefined, locale: Locale, timeZone: string): string {
  if (!d) return '';
  return dateTimeFormat(DATE_LOCALE[locale], { timeZone, dateStyle: 'long' }).format(d);
}

/** Value for an <input type="datetime-local"> in the commune's time zone. */
export function toLocalInput(d: Date | null | undefined, timeZone: string): string {
  if (!d) return '';
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/**
 * Reads "2026-03-29T02:30" as a wall-clock time in `timeZone` and returns the UTC instant.
 * A time that does not exist (skipped by the spring change) moves forward by the gap, as clocks
 * do; a time that exists twice (autumn change) is taken at its first occurrence. Forms refuse
 * the skipped time instead (skippedLocalTime): only code that picks times itself relies on the move.
 */
export function fromLocalInput(value: string, timeZone: string): Date | null {
  return readLocalInput(value, timeZone)?.instant ?? null;
}

/**
 * When `value` is a wall-clock time the spring change skips in `timeZone` (02:30 on the last
 * Sunday of March in Paris): the time typed and the time a clock would show instead.
 */
export function skippedLocalTime(value: string, timeZone: string): { time: string; moved: string; instant: Date } | null {
  const read = readLocalInput(value, timeZone);
  if (!read?.skipped) return null;
  return { time: value.trim().slice(11, 16), moved: toLocalInput(read.instant, timeZone).slice(11), instant: read.instant };
}

function readLocalInput(value: string, timeZone: string): { instant: Date; skipped: boolean } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, da, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59) return null;
  const wallAsUtc = Date.UTC(y, mo - 1, da, h, mi, s);
  if (new Date(wallAsUtc).getUTCDate() !== da) return null; // 31 February and the like
  // Try the offsets in force a day before and after; keep the first that maps back to the wall time.
  const candidates = [offsetAt(wallAsUtc - 864e5, timeZone), offsetAt(wallAsUtc + 864e5, timeZone)].sort((a, b) => b - a);
  for (const off of candidates) {
    const instant = wallAsUtc - off;
    if (offsetAt(instant, timeZone) === off) return { instant: new Date(instant), skipped: false };
  }
  // In the spring gap: no offset fits; shift by the gap like a clock would.
  return { instant: new Date(wallAsUtc - Math.min(...candidates)), skipped: true };
}

/** Offset of `timeZone` from UTC at `instant`, in milliseconds. */
export function offsetAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(instant / 1000) * 1000;
}
