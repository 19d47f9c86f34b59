import type { Knex } from 'knex';
import type { AuditRepository } from '../audit/audit.repository';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { CommuneSettings } from '../settings/settings.defaults';
import { renderMarkdown } from '../articles/markdown';
import { bodyImagesProblem } from '../editor/body-rules';
import { withSuffix } from '../articles/slug';
import { DomainEvents } from '../events';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import { htmlToText } from '../site/search.text';
import type { SearchTerm } from '../db/dialect';
import { childPath, pageSlug, PAGE_PATH_MAX, RESERVED_SLUGS } from './pages.paths';
import type { PagesRepository } from './pages.repository';
import { fillPlaceholders } from './placeholders';
import type { Page, PageActor, PageInput, PageNode, PageTreeRow, PublicPageRef } from './pages.types';
import { visiblePages, treeOrder, isUnder } from './pages.tree';

export interface PagesDeps {
  db: Knex;
  repo: PagesRepository;
  audit: AuditRepository;
  clock: Clock;
  settings: { get(): Promise<CommuneSettings> };
  baseUrl: string;
  log: Logger;
  /** Keeps what every public page reads (the online pages) as long as the page cache keeps pages. */
  memo?: { remember<T>(key: string, load: () => Promise<T>): Promise<T> };
}

/** A page as residents read it, with where it sits in the tree. */
export interface ShownPage {
  page: PublicPageRef;
  html: string; // sanitized
  description: string;
  /** The pages above it, from the top. */
  breadcrumb: PublicPageRef[];
  /** Its online sub-pages, by title. */
  children: PublicPageRef[];
}

/** What deleting a page does to its sub-pages: shown before, done after confirmation. */
export interface DeletionPlan {
  page: Page;
  /** Where the sub-pages go: the deleted page's parent (null: the top of the site). */
  newParent: Page | null;
  moves: { id: number; title: string; from: string; to: string }[];
}

const FORM_ERROR = 'Le formulaire contient des erreurs : corrigez les champs signalés.';
/** An image placed in a page's text needs its description, as in an article (RGAA). */
function checkBodyImages(input: PageInput): void {
  const problem = bodyImagesProblem(input.bodyMd);
  if (problem) throw new ValidationError(FORM_ERROR, { body: problem });
}

const FIELDS = ['title', 'slug', 'parentId', 'summary', 'bodyMd', 'status'] as const;

/** The commune's pages: the tree, addresses and their redirects, the legal pages' rules, the audit trail. */
export class PagesService {
  readonly repo: PagesRepository;
  /** Announced after each committed change (the page cache empties itself). */
  readonly events = new DomainEvents<{ changed: [] }>();

  constructor(private readonly d: PagesDeps) {
    this.repo = d.repo;
    this.events.logTo(d.log);
  }

  all(trx?: Knex): Promise<Page[]> {
    return this.repo.all(trx);
  }

  /** Every page, each followed by its sub-pages, with its depth. */
  async tree(): Promise<PageTreeRow[]> {
    return treeOrder(await this.repo.all());
  }

  get(id: number): Promise<Page | null> {
    return this.repo.findById(id);
  }

  async getOrFail(id: number): Promise<Page> {
    const page = await this.repo.findById(id);
    if (!page) throw new NotFoundError('Cette page n’existe pas ou a été supprimée.');
    return page;
  }

  async create(input: PageInput, actor: PageActor): Promise<Page> {
    checkBodyImages(input);
    const now = this.d.clock.now();
    const id = await this.d.db.transaction(async (trx) => {
      const all = await this.repo.all(trx);
      const place = placeOf(input, null, all);
      const id = await this.repo.insert({ ...input, ...place, updatedBy: actor.id }, now, trx);
      await this.repo.forgetRedirects([place.path], trx);
      await this.d.audit.append(
        { actor, action: 'page.created', targetType: 'page', targetId: id, details: { title: input.title, path: place.path, status: input.status } },
        now,
        trx,
      );
      return id;
    });
    this.events.emit('changed');
    return this.getOrFail(id);
  }

  /**
   * Saves the form over the page at `version`. A new address (slug or parent) moves its sub-pages
   * with it, and every address given up answers with a redirect to where the page is now.
   */
  async update(id: number, input: PageInput, version: number, actor: PageActor): Promise<{ page: Page; changed: boolean }> {
    checkBodyImages(input);
    const now = this.d.clock.now();
    const changed = await this.d.db.transaction(async (trx) => {
      const all = await this.repo.all(trx);
      const page = all.find((p) => p.id === id);
      if (!page) throw new NotFoundError('Cette page n’existe pas ou a été supprimée.');
      if (page.version !== version)
        throw new ConflictError('Quelqu’un a enregistré cette page pendant que vous la modifiiez (version {n}). Rechargez-la pour voir ses changements.', {
          n: page.version,
        });
      if (page.legalKey && input.status !== 'published')
        throw new ValidationError(FORM_ERROR, { status: 'Cette page est obligatoire pour un site de commune : elle reste en ligne.' });
      const place = placeOf(input, page, all);
      const next = { ...page, ...input, ...place };
      const fields = FIELDS.filter((f) => next[f] !== page[f]);
      if (!fields.length) return [];
      if (!(await this.repo.update(id, version, { ...input, ...place, updatedBy: actor.id }, now, trx)))
        throw new ConflictError('Quelqu’un a enregistré cette page pendant que vous la modifiiez. Rechargez-la pour voir ses changements.');
      if (place.path !== page.path) await this.moveSubtree(page, place.path, all, now, trx);
      await this.d.audit.append(
        { actor, action: 'page.updated', targetType: 'page', targetId: id, details: { title: next.title, path: place.path, fields } },
        now,
        trx,
      );
      return fields;
    });
    if (changed.length) this.events.emit('changed');
    return { page: await this.getOrFail(id), changed: changed.length > 0 };
  }

  /** What deleting the page would do to its sub-pages (nothing is changed). */
  async deletionPlan(id: number): Promise<DeletionPlan> {
    return planDeletion(await this.repo.all(), id);
  }

  /**
   * Deletes a page. Its sub-pages are not deleted: they move up to its parent (to the top of the
   * site when it had none), with a new address if theirs is taken there, and their old addresses
   * redirect to them. The deleted page's own address answers "not found" from then on.
   */
  async delete(id: number, actor: PageActor): Promise<DeletionPlan> {
    const plan = await this.d.db.transaction((trx) => this.deleteIn(id, actor, trx));
    this.events.emit('changed');
    return plan;
  }

  /**
   * `delete` inside the caller's transaction (the demo's removal, all or nothing); the caller
   * calls `announceChanges` once it has committed.
   */
  async deleteIn(id: number, actor: PageActor, trx: Knex.Transaction): Promise<DeletionPlan> {
    const now = this.d.clock.now();
    const all = await this.repo.all(trx);
    const plan = planDeletion(all, id);
    if (plan.page.legalKey)
      throw new ConflictError('« {title} » est une page obligatoire pour un site de commune : elle ne peut pas être supprimée.', { title: plan.page.title });
    // Free its address first: a sub-page may take it.
    await this.repo.move(id, { path: `/~deleted-${id}` }, trx);
    for (const m of plan.moves) {
      const child = all.find((p) => p.id === m.id) as Page;
      await this.repo.move(child.id, { parentId: plan.newParent?.id ?? null, slug: m.to.slice(m.to.lastIndexOf('/') + 1), path: m.to }, trx);
      await this.moveSubtree(child, m.to, all, now, trx);
    }
    await this.repo.delete(id, trx);
    await this.d.audit.append(
      {
        actor,
        action: 'page.deleted',
        targetType: 'page',
        targetId: id,
        details: { title: plan.page.title, path: plan.page.path, count: plan.moves.length },
      },
      now,
      trx,
    );
    return plan;
  }

  /** The site's cache and menus forget the pages as they were (after a `deleteIn` has committed). */
  announceChanges(): void {
    this.events.emit('changed');
  }

  /**
   * `page` now lives at `newPath` (the caller wrote it): its sub-pages follow, and every address
   * given up redirects to the page that had it.
   */
  private async moveSubtree(page: Page, newPath: string, all: Page[], now: Date, trx: Knex): Promise<void> {
    const moved = [{ id: page.id, from: page.path, to: newPath }];
    for (const p of all) if (isUnder(p.path, page.path)) moved.push({ id: p.id, from: p.path, to: newPath + p.path.slice(page.path.length) });
    for (const m of moved) {
      if (m.id !== page.id) await this.repo.move(m.id, { path: m.to }, trx);
      await this.repo.recordRedirect(m.from, m.id, now, trx);
    }
    await this.repo.forgetRedirects(
      moved.map((m) => m.to),
      trx,
    );
  }

  // ---- what residents see ----

  /** The pages residents may see: online, with every page above them online too. */
  visible(): Promise<PublicPageRef[]> {
    const load = async () => visiblePages(await this.repo.all());
    return this.d.memo ? this.d.memo.remember('pages:visible', load) : load();
  }

  async publicTree(): Promise<PageNode[]> {
    const refs = await this.visible();
    const node = (r: PublicPageRef): PageNode => ({ ...r, children: byTitle(refs.filter((c) => c.parentId === r.id)).map(node) });
    return byTitle(refs.filter((r) => r.parentId === null)).map(node);
  }

  /** The online page at `path`, rendered, or null. `missing` is shown for an empty setting. */
  async shown(path: string, missing: string): Promise<ShownPage | null> {
    const refs = await this.visible();
    const ref = refs.find((r) => r.path === path);
    if (!ref) return null;
    const page = await this.repo.findById(ref.id);
    if (!page) return null;
    const html = await this.render(page.bodyMd, missing);
    const breadcrumb: PublicPageRef[] = [];
    for (let up = refs.find((r) => r.id === ref.parentId); up; up = refs.find((r) => r.id === up?.parentId)) breadcrumb.unshift(up);
    const first = /<p>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '';
    const description = page.summary || htmlToText(first).replace(/\s+/g, ' ').trim() || page.title;
    return { page: ref, html, description, breadcrumb, children: byTitle(refs.filter((r) => r.parentId === ref.id)) };
  }

  /** Where a former address of an online page leads now, or null. */
  async redirectFor(path: string): Promise<string | null> {
    const id = await this.repo.redirectTarget(path);
    if (id === null) return null;
    return (await this.visible()).find((r) => r.id === id)?.path ?? null;
  }

  /** A page's Markdown as the site shows it: settings filled in, rendered and sanitized like an article. */
  async render(md: string, missing: string): Promise<string> {
    return renderMarkdown(fillPlaceholders(md, await this.d.settings.get(), this.d.baseUrl, missing));
  }

  /** Online pages matching every term, best first, with their readable text for the excerpt. */
  async search(terms: SearchTerm[], limit: number): Promise<{ page: PublicPageRef; text: string }[]> {
    const refs = await this.visible();
    const ids = await this.repo.search(
      terms,
      refs.map((r) => r.id),
      limit,
    );
    const hits: { page: PublicPageRef; text: string }[] = [];
    for (const id of ids) {
      const [ref, page] = [refs.find((r) => r.id === id), await this.repo.findById(id)];
      if (ref && page) hits.push({ page: ref, text: htmlToText(await this.render(page.bodyMd, '…')).replace(/\s+/g, ' ') });
    }
    return hits;
  }
}

function byTitle<T extends { title: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => a.title.localeCompare(b.title, 'fr'));
}

/**
 * Where the form puts the page: its slug, parent and full address, checked against the tree.
 * Refuses (with a message on the field) a parent that does not exist or lies under the page
 * itself, a top-level address the site already uses, and an address another page has.
 */
function placeOf(input: PageInput, page: Page | null, all: Page[]): { slug: string; parentId: number | null; path: string } {
  const parent = input.parentId === null ? null : (all.find((p) => p.id === input.parentId) ?? null);
  if (input.parentId !== null && !parent) throw new ValidationError(FORM_ERROR, { parentId: 'Choisissez une page proposée.' });
  if (page && parent && (parent.id === page.id || isUnder(parent.path, page.path)))
    throw new ValidationError(FORM_ERROR, { parentId: 'Une page ne peut pas être rangée sous elle-même ni sous une de ses sous-pages.' });
  // No number to fall back on, as an article has: a new page has none yet, and "page" is the site's.
  const slug = pageSlug(input.slug, input.title, '');
  if (!slug)
    throw new ValidationError(FORM_ERROR, {
      slug: 'Cette page a besoin d’une adresse en lettres latines : ni le titre ni l’adresse tapée ne peuvent s’y écrire (seuls les alphabets cyrillique et grec sont transcrits).',
    });
  if (!parent && RESERVED_SLUGS.has(slug))
    throw new ValidationError(FORM_ERROR, { slug: 'Cette adresse est déjà utilisée par le site (actualités, agenda, recherche…) : choisissez-en une autre.' });
  const path = childPath(parent?.path ?? null, slug);
  if (path.length > PAGE_PATH_MAX)
    throw new ValidationError(FORM_ERROR, { slug: 'L’adresse complète est trop longue : raccourcissez-la ou rangez la page moins profond.' });
  const other = all.find((p) => p.path === path && p.id !== page?.id);
  if (other)
    throw new ValidationError(
      'La page « {title} » a déjà cette adresse : choisissez-en une autre.',
      { slug: 'Une autre page a déjà cette adresse.' },
      { title: other.title },
    );
  return { slug, parentId: parent?.id ?? null, path };
}

function planDeletion(all: Page[], id: number): DeletionPlan {
  const page = all.find((p) => p.id === id);
  if (!page) throw new NotFoundError('Cette page n’existe pas ou a été supprimée.');
  const newParent = page.parentId === null ? null : (all.find((p) => p.id === page.parentId) ?? null);
  // Addresses that stay taken: every page but this one and those under it.
  const taken = new Set(all.filter((p) => p.id !== page.id && !isUnder(p.path, page.path)).map((p) => p.path));
  const moves: DeletionPlan['moves'] = [];
  for (const child of byTitle(all.filter((p) => p.parentId === page.id))) {
    let slug = child.slug;
    for (let n = 2; taken.has(childPath(newParent?.path ?? null, slug)) || (!newParent && RESERVED_SLUGS.has(slug)); n++) slug = withSuffix(child.slug, n);
    const to = childPath(newParent?.path ?? null, slug);
    taken.add(to);
    moves.push({ id: child.id, title: child.title, from: child.path, to });
  }
  return { page, newParent, moves };
}
