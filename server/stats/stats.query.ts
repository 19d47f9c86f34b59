import { ValidationError } from '../http/errors';
import type { SortKey } from './stats.model';
import { PERIOD_KINDS, PeriodError, resolvePeriod, type Period, type PeriodKind } from './stats.period';

export const PERIOD_MESSAGE = 'Choisissez une période dans la liste, ou deux dates.';
const SORT_MESSAGE = 'Ce tri n’existe pas.';

function one(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The period in the address (`periode`, and `du`/`au` for chosen dates); 30 days when none. */
export function periodFrom(query: Record<string, unknown>, today: string): Period {
  const raw = one(query.periode) ?? '30j';
  if (!(PERIOD_KINDS as readonly string[]).includes(raw)) throw new ValidationError(PERIOD_MESSAGE);
  try {
    return resolvePeriod(raw as PeriodKind, today, { du: one(query.du), au: one(query.au) });
  } catch (err) {
    if (err instanceof PeriodError) throw new ValidationError(err.message);
    throw err;
  }
}

/** What the period chooser shows back when the address asks for a period that cannot be. */
export interface PeriodProblem {
  message: string;
  /** The field the message sits beside: the list, or the dates. */
  field: 'periode' | 'dates';
  /** What was typed, kept in the fields so that the person corrects it rather than retypes it. */
  input: { periode: string; du: string; au: string };
}

/**
 * The period in the address, or the default period (30 days) and the problem to show beside
 * the chooser: a page full of figures stays a page full of figures when a date is wrong.
 */
export function periodChoiceFrom(query: Record<string, unknown>, today: string): { period: Period; problem: PeriodProblem | null } {
  try {
    return { period: periodFrom(query, today), problem: null };
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const periode = one(query.periode) ?? '';
    return {
      period: resolvePeriod('30j', today),
      problem: {
        message: err.message,
        field: (PERIOD_KINDS as readonly string[]).includes(periode) ? 'dates' : 'periode',
        input: { periode, du: (one(query.du) ?? '').slice(0, 40), au: (one(query.au) ?? '').slice(0, 40) },
      },
    };
  }
}

/** The order of the article table in the address; `keys`: its columns (StatsChannels.sortKeys). */
export function sortFrom(query: Record<string, unknown>, keys: readonly string[]): { sort: SortKey; dir: 'asc' | 'desc' } {
  const sort = one(query.tri) ?? 'reach';
  const dir = one(query.ordre) ?? 'desc';
  if (!keys.includes(sort) || (dir !== 'asc' && dir !== 'desc')) throw new ValidationError(SORT_MESSAGE);
  return { sort, dir };
}

/** What the address keeps of the period, for links (pages, sorting, export). */
export function periodQuery(p: Period): Record<string, string> {
  return p.kind === 'dates' ? { periode: 'dates', du: p.from, au: p.to } : { periode: p.kind };
}
