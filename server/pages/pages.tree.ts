import type { Page, PageTreeRow, PublicPageRef } from './pages.types';

/** True when `path` is strictly below `ancestor` ("/mairie/horaires" under "/mairie"). */
export function isUnder(path: string, ancestor: string): boolean {
  return path.startsWith(`${ancestor}/`);
}

/** Every page, each followed by its sub-pages (by title), with its depth and number of sub-pages. */
export function treeOrder(pages: Page[]): PageTreeRow[] {
  const children = new Map<number | null, Page[]>();
  for (const p of pages) children.set(p.parentId, [...(children.get(p.parentId) ?? []), p]);
  for (const list of children.values()) list.sort((a, b) => a.title.localeCompare(b.title, 'fr'));
  const out: PageTreeRow[] = [];
  const seen = new Set<number>();
  const walk = (parentId: number | null, depth: number) => {
    for (const p of children.get(parentId) ?? []) {
      if (seen.has(p.id)) continue; // a cycle cannot be written, but never loop on one
      seen.add(p.id);
      out.push({ ...p, depth, childCount: children.get(p.id)?.length ?? 0 });
      walk(p.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** The pages residents may see: online, and every page above them online too (a draft hides its sub-pages). */
export function visiblePages(pages: Page[]): PublicPageRef[] {
  const byId = new Map(pages.map((p) => [p.id, p]));
  const visible = (p: Page, depth = 0): boolean => {
    if (p.status !== 'published' || depth > 50) return false;
    const parent = p.parentId === null ? null : byId.get(p.parentId);
    return p.parentId === null || (!!parent && visible(parent, depth + 1));
  };
  return pages
    .filter((p) => visible(p))
    .map((p) => ({ id: p.id, parentId: p.parentId, path: p.path, title: p.title, summary: p.summary, updatedAt: p.updatedAt }));
}
