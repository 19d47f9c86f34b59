import fs from 'node:fs';
import path from 'node:path';
import { renderMarkdown } from '../articles/markdown';
import type { CommuneSettings } from '../settings/settings.defaults';

export const PAGES_DIR = path.join(__dirname, '..', '..', 'content', 'pages');

/** The pages written in content/pages/<slug>.md, each served at /<slug>. */
export const STATIC_PAGES = ['mentions-legales', 'donnees-personnelles'] as const;
export type StaticSlug = (typeof STATIC_PAGES)[number];

export function isStaticSlug(v: string): v is StaticSlug {
  return (STATIC_PAGES as readonly string[]).includes(v);
}

export interface StaticPage {
  slug: StaticSlug;
  title: string;
  html: string; // sanitized
  summary: string; // the first paragraph, as plain text: the page's description
}

/** What a {{placeholder}} may name. */
function placeholders(s: CommuneSettings, siteUrl: string): Record<string, string> {
  return {
    name: s.name,
    address: s.address,
    postalCode: s.postalCode,
    city: s.city,
    phone: s.phone,
    email: s.email,
    publicationDirector: s.publicationDirector,
    dpoContact: s.dpoContact,
    host: s.host,
    siteUrl,
  };
}

/** A settings value inside Markdown: on one line, and unable to start a link, a tag or emphasis. */
function inline(value: string): string {
  return value.replace(/\s*\n\s*/g, ', ').replace(/([\\`*[\]<>])/g, '\\$1');
}

/**
 * Reads content/pages/<slug>.md, fills its {{placeholders}} from the settings and renders it with
 * the articles' Markdown renderer (and its sanitizer). The first "# " line is the page's title,
 * taken out because the layout shows it as the one h1. An empty setting shows `missing`, so that
 * a gap in the legal notice is visible rather than silent.
 */
export function renderStaticPage(slug: StaticSlug, settings: CommuneSettings, siteUrl: string, missing: string): StaticPage {
  const source = fs.readFileSync(path.join(PAGES_DIR, `${slug}.md`), 'utf8');
  const values = placeholders(settings, siteUrl);
  const filled = source.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, name: string) => {
    if (!(name in values)) return m;
    const v = (values[name] ?? '').trim();
    return v ? inline(v) : `*${missing}*`;
  });
  const heading = /^#\s+(.+)\n/m.exec(filled);
  const title = heading?.[1]?.trim() ?? slug;
  const body = heading ? filled.replace(heading[0], '') : filled;
  const html = renderMarkdown(body);
  const first = /<p>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '';
  const summary = decodeEntities(first.replace(/<[^>]+>/g, ''))
    .replace(/\s+/g, ' ')
    .trim();
  return { slug, title, html, summary };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(s: string): string {
  return s.replace(/&(#\d+|[a-z]+);/g, (m, e: string) => (e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : (ENTITIES[e] ?? m)));
}
