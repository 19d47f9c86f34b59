import fs from 'node:fs';
import path from 'node:path';
import { fillDates, relative } from './demo-dates';

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
 * Markdown. Dates are written relative to the moment the demo is loaded (see `relative`), and
 * the texts name them through placeholders such as {event_start:date} (see `fillDates`), so that
 * what an article says and when its event happens always agree.
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

  const dates = new Map<string, Date | null>();
  const resolving = new Set<string>();
  const dateOf = (key: string): Date | null => {
    if (dates.has(key)) return dates.get(key) ?? null;
    if (resolving.has(key)) throw new Error(`${file}: the date ${key} depends on itself`);
    resolving.add(key);
    const spec = get(key);
    const date = relative(spec, now, timeZone, dateOf);
    if (spec && !date) throw new Error(`${file}: "${key}: ${spec}" is not a date the demo understands`);
    resolving.delete(key);
    dates.set(key, date);
    return date;
  };
  const fill = (s: string) => {
    try {
      return fillDates(s, dateOf, timeZone);
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`);
    }
  };

  return {
    file,
    title: fill(get('title')),
    category: get('category'),
    summary: fill(get('summary')),
    status: get('status') === 'published' ? 'published' : 'draft',
    urgent: get('urgent') === 'true',
    publishAt: dateOf('publish'),
    image: get('image'),
    alt: fill(get('alt')),
    eventStart: dateOf('event_start'),
    eventEnd: dateOf('event_end'),
    eventPlace: get('event_place') || null,
    body: fill((m[2] as string).trim()),
  };
}
