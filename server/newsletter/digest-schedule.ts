import { fromLocalInput, toLocalInput } from '../i18n/format';

/**
 * The latest digest time at or before `now`: the chosen weekday and wall-clock time in the
 * commune's time zone (summer time included), as a UTC instant.
 */
export function lastDigestSlot(now: Date, day: number, time: string, timeZone: string): Date {
  const today = toLocalInput(now, timeZone).slice(0, 10);
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  for (let back = 0; back <= 7; back++) {
    const date = new Date(Date.UTC(y, m - 1, d - back));
    if (date.getUTCDay() !== day) continue;
    const at = fromLocalInput(`${date.toISOString().slice(0, 10)}T${time}`, timeZone);
    if (at && at <= now) return at;
  }
  // Unreachable with a valid day and time: a week back always holds the weekday once before now.
  throw new Error(`no digest slot for day ${day} at ${time}`);
}

/** The next digest time after `now`. */
export function nextDigestSlot(now: Date, day: number, time: string, timeZone: string): Date {
  const later = new Date(now.getTime() + 8 * 86_400_000);
  let slot = lastDigestSlot(later, day, time, timeZone);
  // Step back a week at a time until the slot is the first one after now.
  for (let i = 0; i < 3; i++) {
    const before = lastDigestSlot(new Date(slot.getTime() - 1), day, time, timeZone);
    if (before <= now) break;
    slot = before;
  }
  return slot;
}
