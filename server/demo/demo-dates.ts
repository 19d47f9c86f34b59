import { fromLocalInput, toLocalInput } from '../i18n/format';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const SPEC = new RegExp(
  String.raw`^([a-z_]+)?` + // another date of the same article to count from (default: now)
    String.raw`(?:([+-]\d+)d)?` + // days to add, counted on the calendar
    String.raw`(?:([<>])(${WEEKDAYS.join('|')}))?` + // then back (<) or forward (>) to that weekday
    String.raw` ?(\d{2}):(\d{2})$`, // wall-clock time in the commune's zone
);

/**
 * The demo's dates are written relative to the moment it is loaded, in the commune's time zone,
 * so that it always has a past and a future whatever the day:
 *
 *   "-2h"                    two hours before now (the alert, which must still be fresh)
 *   "-9d 08:30"              nine days before today, at 08:30
 *   "+3d>thu 19:00"          the first Thursday on or after today + 3 days, at 19:00
 *   "-9d<mon 07:30"          the last Monday on or before today − 9 days
 *   "event_start+1d 18:00"   the day after the article's `event_start`, at 18:00
 *   "publish<mon 07:30"      the last Monday on or before the article's publication
 *
 * A weekday anchor is what keeps an event on the day its text names ("jeudi", "le week-end").
 * Days are counted on the calendar, never in 24-hour steps, so that a change to or from summer
 * time cannot move a date to the neighbouring day. `dateOf` gives the other dates of the article.
 */
export function relative(spec: string, now: Date, timeZone: string, dateOf: (key: string) => Date | null = () => null): Date | null {
  const hours = /^([+-]\d+)h$/.exec(spec);
  if (hours) return new Date(now.getTime() + Number(hours[1]) * 3600_000);
  const m = SPEC.exec(spec);
  if (!m) return null;
  const [, key, days, direction, weekday, hh, mm] = m;
  const base = key ? dateOf(key) : now;
  if (!base) return null;
  const [y, mo, d] = toLocalInput(base, timeZone).slice(0, 10).split('-').map(Number) as [number, number, number];
  // A UTC date stands for the calendar day: adding days to it never meets a change of time.
  const day = new Date(Date.UTC(y, mo - 1, d + Number(days ?? 0)));
  if (weekday) {
    const gap = WEEKDAYS.indexOf(weekday) - day.getUTCDay();
    day.setUTCDate(day.getUTCDate() + (direction === '>' ? (gap + 7) % 7 : -((-gap + 7) % 7)));
  }
  return fromLocalInput(`${day.toISOString().slice(0, 10)}T${hh}:${mm}`, timeZone);
}

const FORMATS = ['weekday', 'day', 'date', 'time'] as const;
type Format = (typeof FORMATS)[number];

/**
 * Writes a date the way a French notice does, in the commune's zone:
 * weekday "jeudi", day "26 novembre" ("1er décembre"), date "jeudi 26 novembre",
 * time "19 h", "18 h 30", "midi".
 */
export function frenchDate(d: Date, format: Format, timeZone: string): string {
  const part = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('fr-FR', { timeZone, ...options }).format(d);
  const [h, min] = toLocalInput(d, timeZone).slice(11).split(':') as [string, string];
  const dayOfMonth = Number(part({ day: 'numeric' }));
  const day = `${dayOfMonth === 1 ? '1er' : dayOfMonth} ${part({ month: 'long' })}`;
  switch (format) {
    case 'weekday':
      return part({ weekday: 'long' });
    case 'day':
      return day;
    case 'date':
      return `${part({ weekday: 'long' })} ${day}`;
    case 'time':
      if (h === '12' && min === '00') return 'midi';
      return `${Number(h)} h${min === '00' ? '' : ` ${min}`}`;
  }
}

/**
 * Replaces the placeholders {key:format} of a demo text with the article's own dates, so that
 * "le conseil se réunit {event_start:date}" reads "jeudi 26 novembre" on the day the event falls
 * on. `key` is any date of the article's header (publish, event_start, event_end or a date of
 * its own such as works_end); `format` is one of weekday, day, date, time (see frenchDate).
 */
export function fillDates(text: string, dateOf: (key: string) => Date | null, timeZone: string): string {
  return text.replace(/\{([a-z_]+):([a-z]+)\}/g, (placeholder, key: string, format: string) => {
    if (!(FORMATS as readonly string[]).includes(format)) throw new Error(`${placeholder}: unknown format, use one of ${FORMATS.join(', ')}`);
    const d = dateOf(key);
    if (!d) throw new Error(`${placeholder}: the header has no date "${key}"`);
    return frenchDate(d, format as Format, timeZone);
  });
}
