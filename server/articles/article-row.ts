/* eslint-disable @typescript-eslint/no-explicit-any -- knex rows are untyped until mapped here */
import { fromDbBool, fromDbTime, fromDbTimeOrNull } from '../db/dialect';
import type { ArticleShown } from './articles.types';

/**
 * The columns of `articles` behind ArticleShown. The team's queries read whole rows; the site's
 * name these (prefixed with its alias) so that a public page never reads the Markdown source nor
 * who wrote and approved the article.
 */
export const SHOWN_COLUMNS = [
  'id',
  'slug',
  'title',
  'summary',
  'body_html',
  'category_id',
  'hero_media_id',
  'hero_alt',
  'event_start',
  'event_end',
  'event_place',
  'urgent',
  'updated_at',
] as const;

/**
 * Reads the fields every reader is shown from an articles row, the same way for the team's
 * Article (articles.repository.ts) and the residents' PublicArticle (public-articles.repository.ts):
 * SQLite and PostgreSQL hand back booleans and times differently, and this is where they meet.
 */
export function shownFromRow(r: Record<string, any>): ArticleShown {
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    summary: r.summary,
    bodyHtml: r.body_html,
    categoryId: r.category_id ?? null,
    heroMediaId: r.hero_media_id ?? null,
    heroAlt: r.hero_alt,
    eventStart: fromDbTimeOrNull(r.event_start),
    eventEnd: fromDbTimeOrNull(r.event_end),
    eventPlace: r.event_place ?? null,
    urgent: fromDbBool(r.urgent),
    updatedAt: fromDbTime(r.updated_at),
  };
}
