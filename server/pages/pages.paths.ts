import { slugify } from '../articles/slug';

/** A page's own part of its address ("horaires" in "/mairie/horaires"). */
export const PAGE_SLUG_MAX = 80;
/** The whole address, all levels: the column holds 500. */
export const PAGE_PATH_MAX = 480;

/**
 * First parts of an address the site already answers (its fixed routes, feeds, files and the
 * admin), and a few kept for what is coming: a top-level page cannot take them. Pages are routed
 * after everything else, so a page could never hide one of them anyway; refusing the slug tells
 * the officer instead of leaving a page nobody can reach. test/pages.test.ts checks this list
 * against every route of the app.
 */
export const RESERVED_SLUGS = new Set([
  'admin',
  'actualites',
  'agenda',
  'recherche',
  'plan-du-site',
  'donnees-ouvertes',
  'mesure-audience',
  'lettre',
  'lettres',
  'l',
  'o',
  'media',
  'static',
  'api',
  'webhooks',
  'health',
  'healthz',
  'readyz',
  'theme',
  'favicon',
  'rss',
  'atom',
  'feed',
  'sitemap',
  'robots',
  'rapport-mensuel', // the mayor's monthly report's opt-out link (server/stats/stats-report-links.ts)
  // Kept for what other parts of the site may answer one day.
  'apercu',
  'preview',
  'fichiers',
  'documents',
  'pieces-jointes',
  'compte',
  'connexion',
  'categorie',
  'categories',
  'rubrique',
  'page',
  'pages',
]);

/** The slug a page gets: the one typed, else one made from the title, else from its number. */
export function pageSlug(typed: string, title: string, fallback: string): string {
  const cut = (s: string) => s.slice(0, PAGE_SLUG_MAX).replace(/-+$/, '');
  return cut(slugify(typed)) || cut(slugify(title)) || fallback;
}

export function childPath(parentPath: string | null, slug: string): string {
  return `${parentPath ?? ''}/${slug}`;
}

/** A visitor's path, if it can be a page's address: lower-case slugs separated by single slashes. */
export function asPagePath(path: string): string | null {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (trimmed.length > PAGE_PATH_MAX || !/^(\/[a-z0-9]+(?:-[a-z0-9]+)*)+$/.test(trimmed)) return null;
  return trimmed;
}
