import type { Translate } from '../i18n/i18n';
import type { StatsChannels } from './stats.channels';
import { kindLabel } from './stats.labels';
import type { ChartData } from './stats.service';
import { lineChart } from './stats.svg';

/** How the figures pages write numbers and days, in the reader's language. */
export interface Formats {
  t: Translate;
  number: (n: number) => string;
  /** 'YYYY-MM-DD' → « 3 déc. 2026 »; 'YYYY-MM' → « déc. 2026 ». */
  bucketLabel: (b: string) => string;
  dayLabel: (day: string) => string;
  /** A channel's name: the site, the newsletter, or a network's label. */
  channelLabel: (channel: string) => string;
}

export function formats(t: Translate, locale: string, timeZone: string, channels: StatsChannels): Formats {
  const tag = locale === 'en' ? 'en-GB' : 'fr-FR';
  const nf = new Intl.NumberFormat(tag);
  // Noon UTC of the day is that same calendar day in Europe/Paris whatever the season.
  const day = new Intl.DateTimeFormat(tag, { timeZone, day: 'numeric', month: 'long', year: 'numeric' });
  const short = new Intl.DateTimeFormat(tag, { timeZone, day: 'numeric', month: 'short' });
  const month = new Intl.DateTimeFormat(tag, { timeZone, month: 'long', year: 'numeric' });
  return {
    t,
    number: (n) => nf.format(n),
    dayLabel: (d) => day.format(new Date(`${d}T12:00:00Z`)),
    channelLabel: (ch) => channels.label(t, ch),
    bucketLabel: (b) => (b.length === 7 ? month.format(new Date(`${b}-15T12:00:00Z`)) : short.format(new Date(`${b}T12:00:00Z`))),
  };
}

export interface Comparison {
  /** 'up' | 'down' | 'same' | 'new': the page adds an arrow and words, never colour alone. */
  trend: 'up' | 'down' | 'same' | 'new';
  text: string;
}

/** A figure against the previous period, in words: "en hausse de 25 % (8 sur la période précédente)". */
export function compare(value: number, previous: number, f: Formats): Comparison {
  const before = f.number(previous);
  if (previous === 0) {
    return value === 0
      ? { trend: 'same', text: f.t('stable (0 sur la période précédente)') }
      : { trend: 'new', text: f.t('en hausse (0 sur la période précédente)') };
  }
  const pct = Math.round(((value - previous) / Math.abs(previous)) * 100);
  if (pct === 0 && value === previous) return { trend: 'same', text: f.t('stable ({n} sur la période précédente)', { n: before }) };
  if (value > previous) return { trend: 'up', text: f.t('en hausse de {p} % ({n} sur la période précédente)', { p: f.number(Math.max(pct, 0)), n: before }) };
  return { trend: 'down', text: f.t('en baisse de {p} % ({n} sur la période précédente)', { p: f.number(Math.abs(pct)), n: before }) };
}

export interface PresentedChart {
  id: string;
  heading: string;
  svg: string;
  /** The chart's data table: the time axis down, one column per series. */
  columns: string[];
  rows: { label: string; values: string[] }[];
  empty: boolean;
}

export function presentChart(c: ChartData, buckets: string[], f: Formats, idPrefix: string, heading = f.channelLabel(c.channel)): PresentedChart {
  const labels = buckets.map(f.bucketLabel);
  const names = c.series.map((s) => kindLabel(f.t, s.kind));
  const totals = c.series.map((s) => s.values.reduce((a, b) => a + b, 0));
  const from = labels[0] ?? '';
  const to = labels[labels.length - 1] ?? '';
  const desc = f.t('Du {from} au {to} : {figures}.', {
    from,
    to,
    figures: names.map((n, i) => `${n} ${f.number(totals[i] as number)}`).join(', '),
  });
  const id = `${idPrefix}-${c.channel}`;
  return {
    id,
    heading,
    svg: lineChart({
      id: `${id}-chart`,
      title: f.t('{channel} : évolution sur la période', { channel: heading }),
      desc,
      labels,
      series: c.series.map((s, i) => ({ name: names[i] as string, values: s.values })),
      number: f.number,
    }),
    columns: names,
    rows: buckets.map((_, i) => ({ label: labels[i] as string, values: c.series.map((s) => f.number(s.values[i] ?? 0)) })),
    empty: totals.every((n) => n === 0),
  };
}
