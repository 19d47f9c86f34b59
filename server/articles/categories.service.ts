import type { Knex } from 'knex';
import type { AuditRepository } from '../audit/audit.repository';
import type { Actor } from '../audit/audit.repository';
import type { Clock } from '../clock';
import { DomainEvents } from '../events';
import { NotFoundError, ValidationError } from '../http/errors';
import type { Logger } from '../logger';
import type { CategoriesRepository, CategoryRow } from './categories.repository';
import { slugify, unwritable } from './slug';

/**
 * Other domains' data that hangs on a category, moved in the category's own transaction by their
 * own repositories: the newsletter's subscriber topics, the publishing hashtags.
 */
export interface CategoryDependents {
  followers(categoryId: number): Promise<number>;
  moveTopic(from: number, to: number | null, trx: Knex): Promise<void>;
  moveHashtags(from: number, to: number | null, now: Date, trx: Knex): Promise<void>;
}

export interface CategoryInput {
  name: string;
  slug?: string;
}

/** What a merge or a deletion will do, said on the confirmation page before it is done. */
export interface RemovalPlan {
  category: CategoryRow;
  target: CategoryRow | null;
  articles: number;
  followers: number;
}

const FORM_ERROR = 'Le formulaire contient des erreurs : corrigez les champs signalés.';
const MISSING = 'Cette catégorie n’existe pas ou a été supprimée.';

/** The site's categories: added, renamed (the old address redirects), reordered, merged or deleted. */
export class CategoriesService {
  private readonly repo: CategoriesRepository;
  /** After each committed change: the page cache listens (menus, counts and category pages change). */
  readonly events = new DomainEvents<{ changed: [] }>();

  constructor(private readonly d: { db: Knex; repo: CategoriesRepository; audit: AuditRepository; clock: Clock; log: Logger; dependents: CategoryDependents }) {
    this.repo = d.repo;
    this.events.logTo(d.log);
  }

  list(): Promise<CategoryRow[]> {
    return this.repo.list();
  }

  async get(id: number): Promise<CategoryRow> {
    const c = await this.repo.get(id);
    if (!c) throw new NotFoundError(MISSING);
    return c;
  }

  /** The current slug a former one leads to (null: the news list), or null when it never existed. */
  redirectTarget(oldSlug: string): Promise<{ slug: string | null } | null> {
    return this.repo.redirectTarget(oldSlug);
  }

  async create(input: CategoryInput, actor: Actor): Promise<number> {
    const now = this.d.clock.now();
    const id = await this.d.db.transaction(async (trx) => {
      const { name, slug } = await this.checked(input, null, trx);
      const newId = await this.repo.insert(slug, name, trx);
      await this.repo.dropRedirect(slug, trx);
      await this.d.audit.append({ actor, action: 'category.created', targetType: 'category', targetId: newId, details: { name, slug } }, now, trx);
      return newId;
    });
    this.events.emit('changed');
    return id;
  }

  async rename(id: number, input: CategoryInput, actor: Actor): Promise<void> {
    const current = await this.get(id);
    const now = this.d.clock.now();
    await this.d.db.transaction(async (trx) => {
      const { name, slug } = await this.checked(input, current, trx);
      await this.repo.update(id, slug, name, trx);
      if (slug !== current.slug) {
        // Links already shared (posts, letters, search engines) lead to the new address.
        await this.repo.dropRedirect(slug, trx);
        await this.repo.redirect(current.slug, id, id, now, trx);
      }
      await this.d.audit.append(
        { actor, action: 'category.renamed', targetType: 'category', targetId: id, details: { from: current.name, to: name, oldSlug: current.slug, slug } },
        now,
        trx,
      );
    });
    this.events.emit('changed');
  }

  /** One place up or down (buttons: usable with the keyboard, no dragging needed). */
  async move(id: number, direction: 'up' | 'down', actor: Actor): Promise<void> {
    await this.get(id);
    const now = this.d.clock.now();
    await this.d.db.transaction(async (trx) => {
      const ids = (await this.repo.list(trx)).map((c) => c.id);
      const i = ids.indexOf(id);
      const j = direction === 'up' ? i - 1 : i + 1;
      if (i < 0 || j < 0 || j >= ids.length) return;
      [ids[i], ids[j]] = [ids[j] as number, ids[i] as number];
      await this.repo.reorder(ids, trx);
      await this.d.audit.append({ actor, action: 'category.reordered', targetType: 'category', targetId: id, details: { direction } }, now, trx);
    });
    this.events.emit('changed');
  }

  /**
   * The whole order at once (the page's drag and drop sends it). Refused when the list sent is
   * not exactly the current categories: one was added or removed in another tab meanwhile.
   */
  async reorder(ids: number[], actor: Actor): Promise<void> {
    const now = this.d.clock.now();
    await this.d.db.transaction(async (trx) => {
      const current = await this.repo.list(trx);
      const known = new Set(current.map((c) => c.id));
      if (ids.length !== known.size || new Set(ids).size !== ids.length || !ids.every((id) => known.has(id))) {
        throw new ValidationError('La liste des catégories a changé entre-temps : rechargez la page, puis recommencez.');
      }
      if (ids.every((id, i) => current[i]?.id === id)) return;
      await this.repo.reorder(ids, trx);
      const names = new Map(current.map((c) => [c.id, c.name]));
      await this.d.audit.append(
        { actor, action: 'category.reordered', targetType: 'category', details: { order: ids.map((id) => names.get(id)).join(', ') } },
        now,
        trx,
      );
    });
    this.events.emit('changed');
  }

  /** What removing `id` into `targetId` (null: no category) will move, for the confirmation page. */
  async plan(id: number, targetId: number | null): Promise<RemovalPlan> {
    const category = await this.get(id);
    if (targetId === id) throw new ValidationError('Choisissez une autre catégorie que celle que vous supprimez.');
    const target = targetId === null ? null : await this.repo.get(targetId);
    if (targetId !== null && !target) throw new ValidationError('Choisissez une catégorie proposée.');
    return { category, target, articles: category.articles, followers: await this.d.dependents.followers(id) };
  }

  /**
   * Merges `id` into `targetId`, or deletes it (`targetId` null): its articles, its subscribers'
   * topic and its hashtags move in one transaction, and its address redirects.
   */
  async remove(id: number, targetId: number | null, actor: Actor): Promise<RemovalPlan> {
    const plan = await this.plan(id, targetId);
    const now = this.d.clock.now();
    await this.d.db.transaction(async (trx) => {
      const moved = await this.repo.moveArticles(id, targetId, trx);
      await this.d.dependents.moveTopic(id, targetId, trx);
      await this.d.dependents.moveHashtags(id, targetId, now, trx);
      await this.repo.redirect(plan.category.slug, id, targetId, now, trx);
      await this.repo.delete(id, trx);
      await this.repo.reorder(
        (await this.repo.list(trx)).map((c) => c.id),
        trx,
      );
      await this.d.audit.append(
        {
          actor,
          action: targetId === null ? 'category.deleted' : 'category.merged',
          targetType: 'category',
          targetId: id,
          details: { name: plan.category.name, into: plan.target?.name ?? null, articles: moved, followers: plan.followers },
        },
        now,
        trx,
      );
    });
    this.events.emit('changed');
    return plan;
  }

  private async checked(input: CategoryInput, current: CategoryRow | null, trx: Knex): Promise<{ name: string; slug: string }> {
    const name = input.name.trim();
    const fields: Record<string, string> = {};
    if (!name) fields.name = 'Indiquez le nom de la catégorie.';
    else if (name.length > 80) fields.name = 'Le nom est trop long (80 caractères au plus).';
    const typed = (input.slug ?? '').trim();
    const slug = slugify(typed || name)
      .slice(0, 80)
      .replace(/-+$/, '');
    if (!fields.name && !slug) fields.slug = 'Cette adresse ne peut pas s’écrire en lettres latines : indiquez-en une autre.';
    // Never a silent cut: the address typed is kept whole or refused.
    else if (typed && unwritable(typed).length)
      fields.slug =
        'Une partie de cette adresse ne peut pas s’écrire en lettres latines (seuls les alphabets cyrillique et grec sont transcrits) : retirez-la ou indiquez une autre adresse.';
    if (!fields.name) {
      const sameName = await this.repo.byName(name, trx);
      if (sameName && sameName.id !== current?.id) fields.name = 'Une catégorie porte déjà ce nom : choisissez-en un autre, ou fusionnez les deux.';
    }
    if (slug) {
      const owner = await this.repo.bySlug(slug, trx);
      if (owner && owner.id !== current?.id) fields.slug = 'Cette adresse est déjà celle d’une autre catégorie : choisissez-en une autre.';
    }
    if (Object.keys(fields).length) throw new ValidationError(FORM_ERROR, fields);
    return { name, slug };
  }
}
