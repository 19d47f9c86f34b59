import { ValidationError } from '../http/errors';
import { SORT_KEYS, type SortKey } from './stats.model';
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

export function sortFrom(query: Record<string, unknown>): { sort: SortKey; dir: 'asc' | 'desc' } {
  const sort = one(query.tri) ?? 'reach';
  const dir = one(query.ordre) ?? 'desc';
  if (!(SORT_KEYS as readonly string[]).includes(sort) || (dir !== 'asc' && dir !== 'desc')) throw new ValidationError(SORT_MESSAGE);
  return { sort: sort as SortKey, dir };
}

/** What the address keeps of the period, for links (pages, sorting, export). */
export function periodQuery(p: Period): Record<string, string> {
  return p.kind === 'dates' ? { periode: 'dates', du: p.from, au: p.to } : { periode: p.kind };
}
