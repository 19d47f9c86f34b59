/**
 * The site's fixed sections that a menu can hold besides pages. Labels are i18n keys, translated
 * when shown. The accessibility statement is not here: the footer always links to it first, with
 * its compliance status, as the law asks of every page.
 */
export const MENU_LINKS = {
  actualites: { href: '/actualites', label: 'Actualités' },
  agenda: { href: '/agenda', label: 'Agenda' },
  recherche: { href: '/recherche', label: 'Recherche' },
  lettre: { href: '/lettre', label: 'Lettre d’information' },
  lettres: { href: '/lettres', label: 'Lettres publiées' },
  'plan-du-site': { href: '/plan-du-site', label: 'Plan du site' },
  'donnees-ouvertes': { href: '/donnees-ouvertes', label: 'Données ouvertes' },
  rss: { href: '/rss.xml', label: 'Flux RSS des actualités' },
} as const;

export type MenuLink = keyof typeof MENU_LINKS;

export function isMenuLink(v: string): v is MenuLink {
  return Object.hasOwn(MENU_LINKS, v);
}

export const MENUS = ['main', 'footer'] as const;
export type Menu = (typeof MENUS)[number];

export const MENU_LABELS: Record<Menu, string> = { main: 'Menu principal', footer: 'Pied de page' };

/** The footer keeps what RGAA asks every page to reach: the site map (the legal pages are kept too). */
export const REQUIRED_FOOTER_LINKS: MenuLink[] = ['plan-du-site'];

/** Entries a menu can hold at most: more would not fit on a phone, nor be read. */
export const MENU_MAX = 30;
