import type { Page } from '../http/pagination';
import type { PagesService } from '../pages/pages.service';
import type { PublicPageRef } from '../pages/pages.types';
import { articlePath } from './metadata';
import { excerpt, fold, highlight, htmlToText, parseQuery } from './search.text';
import type { PublicArticlesSearch } from '../articles/public-articles.search';
import type { PublicArticle, PublicCategory, PublicArticlesRepository } from '../articles/public-articles.repository';
import type { SearchTerm } from '../db/dialect';

export interface SearchResult {
  article: PublicArticle;
  path: string;
  /** Escaped HTML with the words found in <mark>: safe to print as is. */
  titleHtml: string;
  excerptHtml: string;
}

/** A page of the commune found by the search (its title, summary or text). */
export interface PageResult {
  page: PublicPageRef;
  titleHtml: string;
  excerptHtml: string;
}

export interface SearchOutcome {
  /** False when the query holds no word at all ("*", quotes…): nothing was looked up. */
  searched: boolean;
  results: SearchResult[];
  /** The articles found, for the pages of results. */
  total: number;
  /** The commune's pages found: few, all shown above the news on the first page of results (and counted on every one). */
  pages: PageResult[];
  /** When nothing was found: the categories that have articles, to browse instead. */
  suggestions: PublicCategory[];
}

/** Pages shown at most among the results (a commune has tens of pages, not thousands). */
const MAX_PAGE_RESULTS = 10;

/** The categories whose name holds the term, the way the index matches words (whole or prefix). */
export function categoriesMatching(categories: { id: number; name: string }[], terms: SearchTerm[]): number[][] {
  return terms.map((t) =>
    categories.filter((c) => (fold(c.name).match(/[\p{L}\p{N}]+/gu) ?? []).some((w) => (t.prefix ? w.startsWith(t.text) : w === t.text))).map((c) => c.id),
  );
}

/**
 * The site's search box: accent- and case-insensitive, every word required, best match first.
 * It finds articles by their text or their category's name, and the commune's pages by their
 * title and text.
 */
export class SearchService {
  constructor(
    private readonly repo: PublicArticlesSearch,
    private readonly site: PublicArticlesRepository,
    private readonly pages?: Pick<PagesService, 'search'>,
  ) {}

  async search(q: string, page: Page): Promise<SearchOutcome> {
    const terms = parseQuery(q);
    const [{ rows, total }, pageHits] = terms.length
      ? await Promise.all([
          this.site.categories().then((all) => this.repo.search(terms, page.limit, page.offset, categoriesMatching(all, terms))),
          this.pages ? this.pages.search(terms, MAX_PAGE_RESULTS) : Promise.resolve([]),
        ])
      : [{ rows: [], total: 0 }, []];
    const suggestions = total === 0 && pageHits.length === 0 ? (await this.site.categories()).filter((c) => c.count > 0) : [];
    const results = rows.map((article) => ({
      article,
      path: articlePath(article.slug),
      titleHtml: highlight(article.title, terms),
      // The summary when a word is in it, else the passage of the body where one is.
      excerptHtml:
        excerpt(article.summary, terms, 400) ?? excerpt(htmlToText(article.bodyHtml).replace(/\s+/g, ' '), terms) ?? highlight(article.summary, terms),
    }));
    const pages = pageHits.map((h) => ({
      page: h.page,
      titleHtml: highlight(h.page.title, terms),
      excerptHtml: excerpt(h.page.summary, terms, 400) ?? excerpt(h.text, terms) ?? highlight(h.page.summary || h.text.slice(0, 220), terms),
    }));
    return { searched: terms.length > 0, results, total, pages, suggestions };
  }
}
