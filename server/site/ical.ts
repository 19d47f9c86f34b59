/**
 * iCalendar (RFC 5545) documents: the agenda feed and single events. Times are written in UTC
 * ("…Z"), which every calendar converts to its reader's zone, so no VTIMEZONE is needed.
 */

export interface CalendarEvent {
  uid: string; // stable across updates: "article-12@commune.fr"
  title: string;
  description: string;
  start: Date;
  end: Date | null;
  place: string | null;
  url: string;
  category: string | null;
  updatedAt: Date;
}

export interface CalendarInfo {
  name: string; // X-WR-CALNAME
  description?: string;
  timeZone: string; // only a hint for calendars that show the feed's own zone
}

// Without an end, an event is shown as lasting an hour rather than as a zero-length point.
const DEFAULT_DURATION = 'PT1H';

/** DATE-TIME in UTC: 20260315T090000Z. */
export function icsTime(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** TEXT value escaping (RFC 5545 3.3.11). */
export function icsText(s: string): string {
  return (
    s
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
      .replace(/[\\;,]/g, (c) => `\\${c}`)
      .replace(/\n/g, '\\n')
  );
}

/** Lines longer than 75 octets are folded (RFC 5545 3.1), never inside a UTF-8 character. */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    const limit = parts.length ? 74 : 75; // continuation lines start with a space
    if (bytes + size > limit) {
      parts.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

function vevent(e: CalendarEvent, now: Date): string[] {
  return [
    'BEGIN:VEVENT',
    `UID:${icsText(e.uid)}`,
    `DTSTAMP:${icsTime(now)}`,
    `DTSTART:${icsTime(e.start)}`,
    e.end && e.end > e.start ? `DTEND:${icsTime(e.end)}` : `DURATION:${DEFAULT_DURATION}`,
    `SUMMARY:${icsText(e.title)}`,
    `DESCRIPTION:${icsText(e.description ? `${e.description}\n\n${e.url}` : e.url)}`,
    ...(e.place ? [`LOCATION:${icsText(e.place)}`] : []),
    `URL:${e.url}`,
    ...(e.category ? [`CATEGORIES:${icsText(e.category)}`] : []),
    `LAST-MODIFIED:${icsTime(e.updatedAt)}`,
    'STATUS:CONFIRMED',
    'TRANSP:OPAQUE',
    'END:VEVENT',
  ];
}

export function calendar(info: CalendarInfo, events: CalendarEvent[], now: Date): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Crieur//Agenda de la commune//FR',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${icsText(info.name)}`,
    ...(info.description ? [`X-WR-CALDESC:${icsText(info.description)}`] : []),
    `X-WR-TIMEZONE:${info.timeZone}`,
    'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
    'X-PUBLISHED-TTL:PT1H',
    ...events.flatMap((e) => vevent(e, now)),
    'END:VCALENDAR',
  ];
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
