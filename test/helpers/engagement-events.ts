import type { Container } from '../../server/container';
import { dayFormatter } from '../../server/audience/audience.days';
import { EngagementRepository } from '../../server/engagement/engagement.repository';

/** One event as the engagement writer stores it (contract of issue 13). */
export interface TestEvent {
  /** When it happened, UTC (ISO). Its Europe/Paris day is computed here, as the writer does. */
  at: string;
  channel: string;
  kind: string;
  articleId?: number | null;
  publicationId?: number | null;
  campaignId?: number | null;
  source?: string;
  value?: number;
  demo?: boolean;
}

const parisDay = dayFormatter('Europe/Paris');

/**
 * Writes events straight into engagement_events, until the dashboard tests can go through the
 * writer of the engagement store: the same columns, the same Paris day.
 */
export async function addEvents(c: Container, events: TestEvent[]): Promise<void> {
  const rows = events.map((e) => ({
    occurred_at: new Date(e.at).toISOString(),
    day: parisDay(new Date(e.at)),
    article_id: e.articleId ?? null,
    publication_id: e.publicationId ?? null,
    campaign_id: e.campaignId ?? null,
    channel: e.channel,
    kind: e.kind,
    source: e.source ?? '',
    value: e.value ?? 1,
    demo: e.demo ?? false,
  }));
  for (let i = 0; i < rows.length; i += 200) await c.db('engagement_events').insert(rows.slice(i, i + 200));
}

let rollups = 0;

/**
 * The nightly rollup of one day, as the job does it (the repository's rollUpDay: daily totals,
 * the day listed as complete, its month's totals rewritten), each time a later time than the last.
 */
export async function rollUpDay(c: Container, day: string): Promise<void> {
  await new EngagementRepository(c.db).rollUpDay(day, new Date(Date.UTC(2030, 0, 1) + ++rollups * 1000).toISOString());
}

export async function clearEngagement(c: Container): Promise<void> {
  for (const t of ['engagement_events', 'engagement_daily', 'engagement_monthly', 'engagement_rollup_days']) await c.db(t).del();
}

/** A page as a person reads it: no tags, entities decoded, every kind of space one space. */
export function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<(svg|style)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/[\s\u00a0\u202f]+/g, ' ')
    .trim();
}

/** The visible text of the element that carries `data-figure="name"` (the dashboard's tiles). */
export function figureText(html: string, name: string): string {
  const start = html.indexOf(`data-figure="${name}"`);
  if (start < 0) throw new Error(`no figure ${name}`);
  const open = html.lastIndexOf('<', start);
  const tag = /^<(\w+)/.exec(html.slice(open))![1]!;
  // The element's end: count nested tags of the same name.
  let depth = 0;
  const re = new RegExp(`<(/?)${tag}\\b[^>]*>`, 'g');
  re.lastIndex = open;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    depth += m[1] ? -1 : 1;
    if (depth === 0) return visibleText(html.slice(open, m.index + m[0].length));
  }
  throw new Error(`unclosed figure ${name}`);
}

/** The rows of the first table whose caption contains `caption`, as visible text per cell. */
export function tableRows(html: string, caption: string): string[][] {
  const tables = html.split('<table').slice(1);
  const table = tables.find((t) => visibleText(/<caption>([\s\S]*?)<\/caption>/.exec(t)?.[1] ?? '').includes(caption));
  if (!table) throw new Error(`no table "${caption}"`);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => visibleText(c[1]!)));
}
