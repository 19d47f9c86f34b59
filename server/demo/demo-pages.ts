import fs from 'node:fs';
import path from 'node:path';
import type { Container } from '../container';
import type { PageActor } from '../pages/pages.types';
import { DEMO_DIR } from './demo-content';

export interface DemoPage {
  file: string;
  title: string;
  /** The slug of the page it goes under (a page of an earlier file), or ''. */
  parent: string;
  summary: string;
  /** 'main': in the site's main menu, where its sub-pages open as a sub-menu. */
  menu: string;
  body: string;
}

/**
 * Reads content/demo/pages/*.md: a "key: value" header between --- lines (title, parent,
 * summary, menu), then Markdown, which may quote the commune's settings ({{phone}}…).
 */
export function readDemoPages(): DemoPage[] {
  const dir = path.join(DEMO_DIR, 'pages');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(dir, file), 'utf8').replace(/\r\n/g, '\n');
      const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
      if (!m) throw new Error(`${file}: no header`);
      const head = new Map<string, string>();
      for (const line of (m[1] as string).split('\n')) {
        const i = line.indexOf(':');
        if (i > 0) head.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      const get = (k: string) => head.get(k) ?? '';
      return { file, title: get('title'), parent: get('parent'), summary: get('summary'), menu: get('menu'), body: (m[2] as string).trim() + '\n' };
    });
}

/**
 * The demo commune's own pages (la mairie, démarches, écoles…), online, in a tree, the top ones in
 * the main menu between the agenda and the search, as a commune would arrange them.
 */
/** Resolves with the ids of the pages it made (the demo's list, demo-items.repository.ts). */
export async function loadDemoPages(c: Container, actor: PageActor): Promise<number[]> {
  const pages = readDemoPages();
  const bySlug = new Map<string, number>();
  const inMenu: string[] = [];
  for (const p of pages) {
    const parentId = p.parent ? bySlug.get(p.parent) : null;
    if (parentId === undefined) throw new Error(`${p.file}: parent "${p.parent}" comes from no earlier page`);
    const page = await c.pages.create({ title: p.title, slug: '', parentId, summary: p.summary, bodyMd: p.body, status: 'published' }, actor);
    bySlug.set(page.slug, page.id);
    if (p.menu === 'main') inMenu.push(`page:${page.id}`);
  }
  const main = (await c.menus.edit('main')).entries.map((e) => e.token);
  const search = main.indexOf('link:recherche');
  main.splice(search < 0 ? main.length : search, 0, ...inMenu);
  await c.menus.save('main', main, actor);
  return [...bySlug.values()];
}
