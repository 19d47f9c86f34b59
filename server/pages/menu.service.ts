import type { Knex } from 'knex';
import type { AuditRepository } from '../audit/audit.repository';
import type { Clock } from '../clock';
import { ValidationError } from '../http/errors';
import { isMenuLink, MENU_LINKS, MENU_MAX, REQUIRED_FOOTER_LINKS, type Menu } from './menu.links';
import type { MenuRow } from './pages.repository';
import type { PagesService } from './pages.service';
import type { Page, PageActor } from './pages.types';

/** One entry as the admin's menu page shows it. `token` is what the form sends back. */
export interface AdminMenuEntry {
  token: string;
  label: string; // a page's title, or the i18n key of a fixed section
  href: string;
  kind: 'page' | 'link';
  /** A page that is not online: kept in the menu, shown on the site once it is. */
  offline: boolean;
  /** Cannot leave this menu (the footer's legal pages and site map). */
  required: boolean;
}

/** One entry as the site shows it. */
export interface SiteMenuEntry {
  href: string;
  label: string;
  /** True for a fixed section, whose label is an i18n key. */
  translate: boolean;
  /** The déclaration d'accessibilité: the site names it by the compliance status (RGAA). */
  accessibility?: boolean;
  /** A page's online sub-pages, by title: the main menu opens them as a sub-menu. */
  children?: { href: string; label: string }[];
}

export type SiteMenus = Record<Menu, SiteMenuEntry[]>;

const tokenOf = (r: MenuRow) => (r.pageId !== null ? `page:${r.pageId}` : `link:${r.link}`);

/** The site's main menu and footer, built in the admin from the pages and the fixed sections. */
export class MenuService {
  constructor(
    private readonly d: {
      db: Knex;
      pages: PagesService;
      audit: AuditRepository;
      clock: Clock;
      memo?: { remember<T>(key: string, load: () => Promise<T>): Promise<T> };
    },
  ) {}

  /** A menu's entries in order, and what could be added to it. */
  async edit(menu: Menu): Promise<{ entries: AdminMenuEntry[]; available: AdminMenuEntry[] }> {
    const [rows, pages] = await Promise.all([this.d.pages.repo.menu(menu), this.d.pages.tree()]);
    const visible = new Set((await this.d.pages.visible()).map((p) => p.id));
    const byId = new Map(pages.map((p) => [p.id, p]));
    const entry = (r: MenuRow): AdminMenuEntry | null => {
      if (r.pageId !== null) {
        const p = byId.get(r.pageId);
        return p ? pageEntry(p, menu, !visible.has(p.id)) : null;
      }
      return r.link && isMenuLink(r.link) ? linkEntry(r.link, menu) : null;
    };
    const entries = rows.map(entry).filter((e): e is AdminMenuEntry => !!e);
    const used = new Set(entries.map((e) => e.token));
    const available = [
      ...pages.map((p) => pageEntry(p, menu, !visible.has(p.id))),
      ...Object.keys(MENU_LINKS).map((k) => linkEntry(k as keyof typeof MENU_LINKS, menu)),
    ].filter((e) => !used.has(e.token));
    return { entries, available };
  }

  /**
   * Replaces a menu with `tokens`, in that order. Refuses an unknown entry, a repeated one, too
   * many, and a footer without the legal pages or the site map.
   */
  async save(menu: Menu, tokens: string[], actor: PageActor): Promise<void> {
    const pages = await this.d.pages.all();
    const rows: MenuRow[] = [];
    const seen = new Set<string>();
    for (const token of tokens) {
      if (seen.has(token)) throw new ValidationError('Une entrée figure deux fois dans le menu : rechargez la page et recommencez.');
      seen.add(token);
      const m = /^(page|link):([a-z0-9-]{1,40})$/.exec(token);
      const row: MenuRow | null =
        m?.[1] === 'page' && /^\d{1,9}$/.test(m[2] ?? '') && pages.some((p) => p.id === Number(m[2]))
          ? { pageId: Number(m[2]), link: null }
          : m?.[1] === 'link' && isMenuLink(m[2] ?? '')
            ? { pageId: null, link: m[2] as string }
            : null;
      if (!row) throw new ValidationError('Le menu contient une entrée qui n’existe pas ou plus : rechargez la page et recommencez.');
      rows.push(row);
    }
    if (rows.length > MENU_MAX) throw new ValidationError('Un menu tient {max} entrées au plus : retirez-en.', {}, { max: MENU_MAX });
    if (menu === 'footer') {
      const missing = [
        ...pages.filter((p) => p.legalKey && !seen.has(`page:${p.id}`)).map((p) => p.title),
        ...REQUIRED_FOOTER_LINKS.filter((l) => !seen.has(`link:${l}`)).map((l) => MENU_LINKS[l].label),
      ];
      if (missing.length)
        throw new ValidationError(
          'Le pied de page doit garder un lien vers : {pages}. La loi demande que ces pages soient accessibles depuis tout le site.',
          {},
          {
            pages: missing.join(', '),
          },
        );
    }
    const now = this.d.clock.now();
    const before = (await this.d.pages.repo.menu(menu)).map(tokenOf);
    if (before.join(' ') === rows.map(tokenOf).join(' ')) return;
    await this.d.db.transaction(async (trx) => {
      await this.d.pages.repo.replaceMenu(menu, rows, trx);
      await this.d.audit.append({ actor, action: 'menu.updated', targetType: 'menu', targetId: menu, details: { count: rows.length } }, now, trx);
    });
    this.d.pages.events.emit('changed');
  }

  /**
   * Both menus as the site shows them: pages that are not online are left out. A page of the main
   * menu brings its online sub-pages, which the site opens as a sub-menu.
   */
  site(): Promise<SiteMenus> {
    const load = async (): Promise<SiteMenus> => {
      const [main, footer, visible] = await Promise.all([this.d.pages.repo.menu('main'), this.d.pages.repo.menu('footer'), this.d.pages.visible()]);
      const byId = new Map(visible.map((p) => [p.id, p]));
      const legal = new Map((await this.d.pages.all()).filter((p) => p.legalKey).map((p) => [p.id, p.legalKey]));
      const shown = (rows: MenuRow[], withChildren = false) =>
        rows.flatMap((r): SiteMenuEntry[] => {
          if (r.pageId !== null) {
            const p = byId.get(r.pageId);
            if (!p) return [];
            const entry: SiteMenuEntry = { href: p.path, label: p.title, translate: false };
            if (legal.get(p.id) === 'accessibilite') entry.accessibility = true;
            const children = visible.filter((c) => c.parentId === p.id).sort((a, b) => a.title.localeCompare(b.title, 'fr'));
            if (withChildren && children.length) entry.children = children.map((c) => ({ href: c.path, label: c.title }));
            return [entry];
          }
          return r.link && isMenuLink(r.link) ? [{ href: MENU_LINKS[r.link].href, label: MENU_LINKS[r.link].label, translate: true }] : [];
        });
      return { main: shown(main, true), footer: shown(footer) };
    };
    return this.d.memo ? this.d.memo.remember('pages:menus', load) : load();
  }
}

function pageEntry(p: Page, menu: Menu, offline: boolean): AdminMenuEntry {
  return { token: `page:${p.id}`, label: p.title, href: p.path, kind: 'page', offline, required: menu === 'footer' && !!p.legalKey };
}

function linkEntry(link: keyof typeof MENU_LINKS, menu: Menu): AdminMenuEntry {
  const l = MENU_LINKS[link];
  return {
    token: `link:${link}`,
    label: l.label,
    href: l.href,
    kind: 'link',
    offline: false,
    required: menu === 'footer' && REQUIRED_FOOTER_LINKS.includes(link),
  };
}
