/**
 * The sending window of the settings ("08:00"–"20:00", wall-clock time in the commune's zone).
 * A window whose end is before its start runs over midnight; equal ends mean all day.
 */
export function inSendingWindow(at: Date, window: { start: string; end: string }, timeZone: string): boolean {
  const start = minutes(window.start);
  const end = minutes(window.end);
  if (start === null || end === null || start === end) return true;
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const now = Number(parts.find((p) => p.type === 'hour')?.value) * 60 + Number(parts.find((p) => p.type === 'minute')?.value);
  return start < end ? now >= start && now < end : now >= start || now < end;
}

function minutes(hhmm: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}
