import fs from 'node:fs';
import path from 'node:path';
import { fromLocalInput, toLocalInput } from '../i18n/format';

export const DEMO_DIR = path.join(__dirname, '..', '..', 'content', 'demo');

export interface DemoArticle {
  file: string;
  title: string;
  category: string;
  summary: string;
  status: 'draft' | 'published';
  urgent: boolean;
  publishAt: Date | null;
  image: string;
  alt: string;
  eventStart: Date | null;
  eventEnd: Date | null;
  eventPlace: string | null;
  body: string;
}

/**
 * Reads content/demo/articles/*.md: a small "key: value" header between --- lines, then
 * Markdown. Dates are written relative to the day the demo is loaded ("-9d 08:30", "+21d
 * 10:00") in the commune's time zone, so that the demo always has a past and a future.
 */
export function readDemoArticles(now: Date, timeZone: string): DemoArticle[] {
  const dir = path.join(DEMO_DIR, 'articles');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((file) => parse(file, fs.readFileSync(path.join(dir, file), 'utf8'), now, timeZone));
}

function parse(file: string, text: string, now: Date, timeZone: string): DemoArticle {
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!m) throw new Error(`${file}: no header`);
  const head = new Map<string, string>();
  for (const line of (m[1] as string).split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) head.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const get = (k: string) => head.get(k) ?? '';
  return {
    file,
    title: get('title'),
    category: get('category'),
    summary: get('summary'),
    status: get('status') === 'published' ? 'published' : 'draft',
    urgent: get('urgent') === 'true',
    publishAt: relative(get('publish'), now, timeZone),
    image: get('image'),
    alt: get('alt'),
    eventStart: relative(get('event_start'), now, timeZone),
    eventEnd: relative(get('event_end'), now, timeZone),
    eventPlace: get('event_place') || null,
    body: (m[2] as string).trim(),
  };
}

/**
 * "-9d 08:30" → that wall-clock time 9 days before `now`, in the commune's zone;
 * "-2h" → two hours before `now` (for the alert, which must still be fresh on the first start).
 */
export function relative(spec: string, now: Date, timeZone: string): Date | null {
  const hours = /^([+-]\d+)h$/.exec(spec);
  if (hours) return new Date(now.getTime() + Number(hours[1]) * 3600_000);
  const m = /^([+-]\d+)d (\d{2}):(\d{2})$/.exec(spec);
  if (!m) return null;
  const day = new Date(now.getTime() + Number(m[1]) * 86_400_000);
  const date = toLocalInput(day, timeZone).slice(0, 10);
  return fromLocalInput(`${date}T${m[2]}:${m[3]}`, timeZone);
}
