import type { Knex } from 'knex';
import { ValidationError } from '../http/errors';
import type { MediaService } from '../media/media.service';
import type { ArticleRowInput, ArticlesRepository } from './articles.repository';
import { checkContent, sameMinute } from './articles.rules';
import type { Article, ArticleInput, ArticleSnapshot } from './articles.types';
import { slugify, withSuffix } from './slug';

/** An article's content as saved, before its address and HTML are worked out. */
export type Content = Omit<ArticleRowInput, 'slug' | 'bodyHtml'>;

export const FORM_ERROR = 'Le formulaire contient des erreurs : corrigez les champs signalés.';

/**
 * What an article's form may hold: every content rule at once, the address (slug) it gets, and
 * an earlier or proposed version turned back into form input.
 */
export class ArticleContent {
  constructor(
    private readonly repo: ArticlesRepository,
    private readonly media: Pick<MediaService, 'findById'>,
  ) {}

  /** Merges the input over the current content, then applies every content rule at once. */
  async checked(input: Partial<ArticleInput>, current: Article | null): Promise<Content> {
    const pick = <K extends keyof Content>(k: K, fallback: Content[K]): Content[K] =>
      (input[k] === undefined ? (current ? current[k] : fallback) : input[k]) as Content[K];
    const content: Content = {
      title: (input.title ?? current?.title ?? '').trim(),
      summary: pick('summary', '').trim(),
      bodyMd: pick('bodyMd', ''),
      categoryId: pick('categoryId', null),
      heroMediaId: pick('heroMediaId', null),
      heroAlt: pick('heroAlt', '').trim(),
      eventStart: pick('eventStart', null),
      eventEnd: pick('eventEnd', null),
      eventPlace: pick('eventPlace', null)?.trim() || null,
      urgent: pick('urgent', false),
      publishAt: pick('publishAt', null),
    };
    if (!content.heroMediaId) content.heroAlt = '';
    if (current) {
      // Forms send times to the minute: the same minute means "unchanged", not a new version.
      content.publishAt = sameMinute(content.publishAt, current.publishAt) ? current.publishAt : content.publishAt;
      content.eventStart = sameMinute(content.eventStart, current.eventStart) ? current.eventStart : content.eventStart;
      content.eventEnd = sameMinute(content.eventEnd, current.eventEnd) ? current.eventEnd : content.eventEnd;
      // A published article always says when it went out.
      if (current.status === 'published' && !content.publishAt) content.publishAt = current.publishAt;
    }
    const fields = checkContent(content);
    if (content.categoryId !== null && !fields.categoryId && !(await this.repo.categoryExists(content.categoryId))) {
      fields.categoryId = 'Choisissez une catégorie proposée.';
    }
    if (content.heroMediaId && !fields.heroMediaId && content.heroMediaId !== current?.heroMediaId) {
      const media = await this.media.findById(content.heroMediaId);
      if (!media) fields.heroMediaId = 'Cette image n’est pas dans la médiathèque : choisissez-en une autre.';
      else if (media.status === 'failed') fields.heroMediaId = 'Cette image n’a pas pu être traitée : choisissez-en une autre.';
    }
    if (Object.keys(fields).length) throw new ValidationError(FORM_ERROR, fields);
    return content;
  }

  /**
   * A slug typed by hand is normalised and must be free: silently changing an address the editor
   * chose (maybe already printed on a poster) would be worse than asking. A generated slug takes
   * the next free "-2", "-3"…
   */
  async resolveSlug(requested: string | undefined, title: string, id: number, trx: Knex): Promise<string> {
    const typed = slugify(requested ?? '');
    if (typed) {
      const owner = await this.repo.slugOwner(typed, trx);
      if (owner !== null && owner !== id) {
        throw new ValidationError(FORM_ERROR, {
          slug: 'Cette adresse est déjà utilisée par un autre article : choisissez-en une autre, ou videz le champ pour qu’elle soit créée à partir du titre.',
        });
      }
      return typed;
    }
    const base = slugify(title) || `article-${id}`;
    let candidate = base;
    for (let n = 2; ; n++) {
      const owner = await this.repo.slugOwner(candidate, trx);
      if (owner === null || owner === id) return candidate;
      candidate = withSuffix(base, n);
    }
  }

  /** A snapshot as form input: a slug taken since, a category or an image gone since, are left out. */
  async fromSnapshot(id: number, old: ArticleSnapshot, current: Article): Promise<ArticleInput> {
    const owner = await this.repo.slugOwner(old.slug);
    const categoryOk = old.categoryId !== null && (await this.repo.categoryExists(old.categoryId));
    // The image may have left the library since: the restored text then goes without it.
    const hero = old.heroMediaId ? await this.media.findById(old.heroMediaId) : null;
    const input: ArticleInput = {
      title: old.title,
      slug: owner === null || owner === id ? old.slug : current.slug,
      summary: old.summary,
      bodyMd: old.bodyMd,
      categoryId: categoryOk ? old.categoryId : null,
      heroMediaId: hero ? hero.id : null,
      heroAlt: hero ? old.heroAlt : '',
      eventStart: old.eventStart ? new Date(old.eventStart) : null,
      eventEnd: old.eventEnd ? new Date(old.eventEnd) : null,
      eventPlace: old.eventPlace,
      urgent: old.urgent,
      publishAt: old.publishAt ? new Date(old.publishAt) : null,
    };
    return input;
  }
}
