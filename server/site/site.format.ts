import { DATE_LOCALE, type Locale, type Translate } from '../i18n/i18n';
import { dateTimeFormat } from '../i18n/format';

/** "2026-12" of an instant, in the commune's time zone: the agenda's month groups. */
export function monthKey(d: Date, timeZone: string): string {
  const parts = dateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(d);
  return `${parts.find((p) => p.type === 'year')?.value}-${parts.find((p) => p.type === 'month')?.value}`;
}

function dayKey(d: Date, timeZone: string): string {
  return dateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/** Dates and times as residents read them, in the commune's time zone. */
export function siteFormatters(locale: Locale, timeZone: string, t: Translate) {
  const dayFmt = new Intl.DateTimeFormat(DATE_LOCALE[locale], { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  const monthFmt = new Intl.DateTimeFormat(DATE_LOCALE[locale], { timeZone, month: 'long', year: 'numeric' });
  const timeParts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

  /** French typography writes 10 h and 10 h 30; English 10:00. */
  const time = (d: Date): string => {
    const [h, m] = timeParts.format(d).split(':') as [string, string];
    if (locale === 'en') return `${h}:${m}`;
    const hour = String(Number(h));
    return m === '00' ? `${hour} h` : `${hour} h ${m}`;
  };
  const day = (d: Date): string => dayFmt.format(d);

  return {
    day,
    time,
    month: (d: Date): string => {
      const s = monthFmt.format(d);
      return s.charAt(0).toUpperCase() + s.slice(1);
    },
    /** "samedi 14 décembre 2026, de 10 h à 18 h", in one sentence whatever the case. */
    eventWhen: (start: Date, end: Date | null): string => {
      if (!end || end <= start) return t('{day} à {start}', { day: day(start), start: time(start) });
      if (dayKey(start, timeZone) === dayKey(end, timeZone)) return t('{day}, de {start} à {end}', { day: day(start), start: time(start), end: time(end) });
      return t('Du {startDay} à {start} au {endDay} à {end}', { startDay: day(start), start: time(start), endDay: day(end), end: time(end) });
    },
    iso: (d: Date): string => d.toISOString(),
  };
}

export type SiteFormatters = ReturnType<typeof siteFormatters>;
