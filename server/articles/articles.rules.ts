/**
 * Content rules shared by every way in (the form, the demo loader, restores): the form's schema
 * checks types and lengths for a friendly message, these rules hold whatever the caller.
 */
import type { ArticleContent, ArticleSnapshot } from './articles.types';
import { bodyImagesProblem } from '../editor/body-rules';

export const LIMITS = { title: 200, summary: 300, body: 100_000, heroAlt: 500, place: 200, slug: 150 } as const;

interface CheckedContent {
  title: string;
  summary: string;
  bodyMd: string;
  heroMediaId: number | null;
  heroAlt: string;
  eventStart: Date | null;
  eventEnd: Date | null;
  eventPlace: string | null;
}

const FILE_NAME = /^[^\s]+\.(jpe?g|png|gif|webp|avif|heic|tiff?)$/i;

export function checkContent(c: CheckedContent): Record<string, string> {
  const f: Record<string, string> = {};
  if (!c.title) f.title = 'Indiquez un titre.';
  else if (c.title.length > LIMITS.title) f.title = 'Le titre est trop long (200 caractères au plus).';
  if (c.summary.length > LIMITS.summary) f.summary = 'Le résumé est trop long (300 caractères au plus).';
  if (c.bodyMd.length > LIMITS.body) f.body = 'Le texte est trop long (100 000 caractères au plus).';
  else {
    const images = bodyImagesProblem(c.bodyMd);
    if (images) f.body = images;
  }
  if (c.heroMediaId) {
    // A hero image carries the news: it is never decorative, so it always needs a description.
    if (!c.heroAlt) f.heroAlt = 'Décrivez l’image : le texte alternatif est obligatoire pour l’image principale.';
    else if (c.heroAlt.length > LIMITS.heroAlt) f.heroAlt = 'Le texte alternatif est trop long (500 caractères au plus).';
    else if (FILE_NAME.test(c.heroAlt)) f.heroAlt = 'Le texte alternatif doit décrire l’image, pas donner le nom de son fichier.';
  }
  if (c.eventPlace && c.eventPlace.length > LIMITS.place) f.eventPlace = 'Le lieu est trop long (200 caractères au plus).';
  if (!c.eventStart && (c.eventEnd || c.eventPlace)) f.eventStart = 'Indiquez la date et l’heure de début de l’événement.';
  if (c.eventStart && c.eventEnd && c.eventEnd.getTime() <= c.eventStart.getTime()) {
    f.eventEnd = 'La fin de l’événement doit être après son début.';
  }
  return f;
}

interface SnapshotSource extends ArticleContent {
  bodyMd: string;
  publishAt: Date | null;
}

/** The content fields a version keeps: what "restore" brings back and what "changed" compares. */
export function snapshotOf(a: SnapshotSource): ArticleSnapshot {
  return {
    title: a.title,
    slug: a.slug,
    summary: a.summary,
    bodyMd: a.bodyMd,
    categoryId: a.categoryId,
    heroMediaId: a.heroMediaId,
    heroAlt: a.heroAlt,
    eventStart: a.eventStart?.toISOString() ?? null,
    eventEnd: a.eventEnd?.toISOString() ?? null,
    eventPlace: a.eventPlace,
    urgent: a.urgent,
    publishAt: a.publishAt?.toISOString() ?? null,
  };
}

export function sameMinute(a: Date | null, b: Date | null): boolean {
  return !!a && !!b && Math.floor(a.getTime() / 60_000) === Math.floor(b.getTime() / 60_000);
}
