import type { MediaItem } from '../media/media.types';
import { NotFoundError, ValidationError } from '../http/errors';
import { absoluteLinks } from './feeds';
import { articleUrl } from '../articles/article-url';
import { ImageLookup } from './site-images';
import { API_DEFAULT_PER_PAGE, type ApiListQuery } from './site-data.schemas';
import type { PublicArticle, PublicArticlesRepository } from '../articles/public-articles.repository';

/** The read-only public JSON API, /api/v1: the articles residents can read on the site. */

export interface ApiArticle {
  id: number;
  slug: string;
  title: string;
  summary: string;
  url: string;
  category: { slug: string; name: string } | null;
  published_at: string;
  updated_at: string;
  image: { url: string; width: number; height: number; alt: string } | null;
  event: { start: string; end: string | null; place: string | null } | null;
  body_html?: string;
}

export interface ApiList {
  data: ApiArticle[];
  meta: { page: number; per_page: number; total: number; pages: number };
  links: { self: string; next: string | null; prev: string | null };
}

export interface ApiDeps {
  site: PublicArticlesRepository;
  media: { findById(id: number): Promise<MediaItem | null> };
  config: { baseUrl: string };
}

export class PublicApiService {
  constructor(private readonly d: ApiDeps) {}

  private async toApi(a: PublicArticle, images: ImageLookup): Promise<ApiArticle> {
    const image = await images.main(a.heroMediaId);
    return {
      id: a.id,
      slug: a.slug,
      title: a.title,
      summary: a.summary,
      url: articleUrl(this.d.config.baseUrl, a.slug),
      category: a.categorySlug && a.categoryName ? { slug: a.categorySlug, name: a.categoryName } : null,
      published_at: a.publishedAt.toISOString(),
      updated_at: (a.updatedAt > a.publishedAt ? a.updatedAt : a.publishedAt).toISOString(),
      image: image ? { ...image, alt: a.heroAlt } : null,
      event: a.eventStart ? { start: a.eventStart.toISOString(), end: a.eventEnd?.toISOString() ?? null, place: a.eventPlace } : null,
    };
  }

  /** Newest first. A page past the last one is empty, not an error. */
  async list(q: ApiListQuery): Promise<ApiList> {
    const page = q.page ?? 1;
    const perPage = q.per_page ?? API_DEFAULT_PER_PAGE;
    let categoryId: number | undefined;
    if (q.categorie !== undefined) {
      const category = await this.d.site.categoryBySlug(q.categorie);
      if (!category) throw new ValidationError('La catégorie « {slug} » n’existe pas.', {}, { slug: q.categorie });
      categoryId = category.id;
    }
    const { rows, total } = await this.d.site.list({ categoryId, limit: perPage, offset: (page - 1) * perPage });
    const images = new ImageLookup(this.d.media, this.d.config.baseUrl);
    const pages = Math.max(1, Math.ceil(total / perPage));
    const link = (n: number) => {
      const params = new URLSearchParams({ page: String(n), per_page: String(perPage) });
      if (q.categorie) params.set('categorie', q.categorie);
      return `${this.d.config.baseUrl}/api/v1/articles?${params.toString()}`;
    };
    return {
      data: await Promise.all(rows.map((a) => this.toApi(a, images))),
      meta: { page, per_page: perPage, total, pages },
      links: { self: link(page), next: page < pages ? link(page + 1) : null, prev: page > 1 ? link(Math.min(page - 1, pages)) : null },
    };
  }

  async get(slug: string): Promise<{ data: ApiArticle }> {
    const article = await this.d.site.bySlug(slug);
    if (!article) throw new NotFoundError('Cet article n’existe pas ou n’est pas publié.');
    const images = new ImageLookup(this.d.media, this.d.config.baseUrl);
    return { data: { ...(await this.toApi(article, images)), body_html: absoluteLinks(article.bodyHtml, this.d.config.baseUrl) } };
  }
}
