/** Calendar days in the commune's time zone, written 'YYYY-MM-DD' (text order is time order). */

export function dayFormatter(timeZone: string): (d: Date) => string {
  // en-CA writes dates as YYYY-MM-DD.
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  // Every time zone in use changes its offset on a whole minute, so the day cannot change within
  // a minute: formatting once per minute is exact and keeps the per-view cost down.
  let minute = Number.NaN;
  let day = '';
  return (d: Date) => {
    const m = Math.floor(d.getTime() / 60_000);
    if (m !== minute) {
      minute = m;
      day = fmt.format(d);
    }
    return day;
  };
}

function parts(day: string): [number, number, number] {
  const [y, m, d] = day.split('-').map(Number);
  return [y as number, m as number, d as number];
}

export function addDays(day: string, n: number): string {
  const [y, m, d] = parts(day);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The same day of the month `n` months earlier (the last day when that month is shorter). */
export function monthsBefore(day: string, n: number): string {
  const [y, m, d] = parts(day);
  const index = y * 12 + (m - 1) - n;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}
