import { ValidationError } from '../http/errors';
import { formatDate, skippedLocalTime } from './format';
import type { Locale, Translate } from './i18n';

/**
 * A time typed for the night clocks go forward that does not exist (02:30 on the last Sunday of
 * March in Paris). Forms refuse it rather than move it silently: the officer chose a time, and a
 * publication going out at another one must be their choice. The message needs the day and the
 * times in the reader's language, so schemas give this key and the route fills it in.
 */
export const SKIPPED_TIME = 'L’heure {time} n’existe pas le {date} (passage à l’heure d’été) : choisissez une autre heure, par exemple {moved}.';

/** The refusal for `value`, in the reader's language; null when the time exists. */
export function skippedTimeMessage(value: unknown, timeZone: string, locale: Locale, t: Translate): string | null {
  if (typeof value !== 'string') return null;
  const skipped = skippedLocalTime(value, timeZone);
  if (!skipped) return null;
  return t(SKIPPED_TIME, { time: skipped.time, moved: skipped.moved, date: formatDate(skipped.instant, locale, timeZone) });
}

/** Fills in the SKIPPED_TIME refusals of a form's ValidationError from what was typed in each field. */
export function explainSkippedTimes(err: unknown, body: unknown, timeZone: string, locale: Locale, t: Translate): unknown {
  if (!(err instanceof ValidationError) || !Object.values(err.fields).includes(SKIPPED_TIME)) return err;
  const typed = (body ?? {}) as Record<string, unknown>;
  const fields = Object.fromEntries(
    Object.entries(err.fields).map(([k, v]) => [k, v === SKIPPED_TIME ? (skippedTimeMessage(typed[k], timeZone, locale, t) ?? v) : v]),
  );
  return new ValidationError(err.message, fields, err.vars);
}
