import { addDays, dayFormatter, monthsBefore } from '../audience/audience.days';

/** The choices of the period chooser, as they travel in the address (`?periode=`). */
export const PERIOD_KINDS = ['7j', '30j', 'mois', 'mois-precedent', 'annee', 'dates'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/** Whole Europe/Paris days, both ends included, written 'YYYY-MM-DD'. */
export interface DayRange {
  from: string;
  to: string;
}

export interface Period extends DayRange {
  kind: PeriodKind;
  days: number;
  /** The same number of days just before: what each figure is compared with. */
  previous: DayRange;
}

/** A custom period longer than this is refused (the table and the charts stay readable). */
export const MAX_CUSTOM_DAYS = 3 * 366;

export class PeriodError extends Error {}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function isDay(s: unknown): s is string {
  if (typeof s !== 'string' || !DAY.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Days from `from` to `to`, both included (calendar days: a night the clocks change is still one day). */
export function dayCount(r: DayRange): number {
  return Math.round((Date.parse(`${r.to}T00:00:00Z`) - Date.parse(`${r.from}T00:00:00Z`)) / 86_400_000) + 1;
}

export function daysOf(r: DayRange): string[] {
  const out: string[] = [];
  for (let d = r.from; d <= r.to; d = addDays(d, 1)) out.push(d);
  return out;
}

const formatters = new Map<string, (d: Date) => string>();

/** Today in the commune's time zone (its formatter made once: making one costs more than the rest of a view's dates). */
export function todayIn(timeZone: string, now: Date): string {
  let format = formatters.get(timeZone);
  if (!format) formatters.set(timeZone, (format = dayFormatter(timeZone)));
  return format(now);
}

function firstOfMonth(day: string): string {
  return `${day.slice(0, 8)}01`;
}

/**
 * The period the chooser asks for, in Europe/Paris days. Periods are made of calendar days, so
 * the nights the clocks change (23 or 25 hours) need no special case: an event belongs to the
 * Paris day written with it.
 */
export function resolvePeriod(kind: PeriodKind, today: string, custom: { du?: string; au?: string } = {}): Period {
  let from: string;
  let to = today;
  switch (kind) {
    case '7j':
      from = addDays(today, -6);
      break;
    case '30j':
      from = addDays(today, -29);
      break;
    case 'mois':
      from = firstOfMonth(today);
      break;
    case 'mois-precedent':
      to = addDays(firstOfMonth(today), -1);
      from = firstOfMonth(to);
      break;
    case 'annee':
      // The last twelve months, today included: the same day a year ago is the previous period's.
      from = addDays(monthsBefore(today, 12), 1);
      break;
    case 'dates': {
      if (!isDay(custom.du) || !isDay(custom.au)) throw new PeriodError('Indiquez les deux dates de la période (jour, mois et année).');
      from = custom.du;
      to = custom.au;
      if (from > to) throw new PeriodError('La date de début doit précéder la date de fin.');
      if (dayCount({ from, to }) > MAX_CUSTOM_DAYS) throw new PeriodError('Choisissez une période de trois ans au plus.');
      break;
    }
  }
  const days = dayCount({ from, to });
  return { kind, from, to, days, previous: { from: addDays(from, -days), to: addDays(from, -1) } };
}

/** The calendar month `month` ('YYYY-MM') as a period, compared with the month before (the monthly report). */
export function monthPeriod(month: string): Period {
  const from = `${month}-01`;
  const [y, m] = month.split('-').map(Number) as [number, number];
  const to = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  const prevTo = addDays(from, -1);
  return { kind: 'dates', from, to, days: dayCount({ from, to }), previous: { from: firstOfMonth(prevTo), to: prevTo } };
}

export function isMonth(s: unknown): s is string {
  return typeof s === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(s);
}

/** The month before the one `today` falls in ('YYYY-MM'). */
export function previousMonth(today: string): string {
  return addDays(firstOfMonth(today), -1).slice(0, 7);
}
