import type { Page } from '../http/pagination';
import { articlePath } from './metadata';
import { excerpt, highlight, htmlToText, parseQuery } from './search.text';
import type { SearchRepository } from './search.repository';
import type { PublicArticle, PublicCategory, SiteRepository } from './site.repository';

export interface SearchResult {
  article: PublicArticle;
  path: string;
  /** Escaped HTML with the words found in <mark>: safe to print as is. */
  titleHtml: string;
  excerptHtml: string;
}

export interface SearchOutcome {
  /** False when the query holds no word at all ("*", quotes…): nothing was looked up. */
  searched: boolean;
  results: SearchResult[];
  total: number;
  /** When nothing was found: the categories that have articles, to browse instead. */
  suggestions: PublicCategory[];
}

/** The site's search box: accent- and case-insensitive, every word required, best match first. */
export class SearchService {
  constructor(
    private readonly repo: SearchRepository,
    private readonly site: SiteRepository,
  ) {}

  async search(q: string, page: Page): Promise<SearchOutcome> {
    const terms = parseQuery(q);
    const { rows, total } = terms.length ? await this.repo.search(terms, page.limit, page.offset) : { rows: [], total: 0 };
    const suggestions = total === 0 ? (await this.site.categories()).filter((c) => c.count > 0) : [];
    const results = rows.map((article) => ({
      article,
      path: articlePath(article.slug),
      titleHtml: highlight(article.title, terms),
      // The summary when a word is in it, else the passage of the body where one is.
      excerptHtml:
        excerpt(article.summary, terms, 400) ?? excerpt(htmlToText(article.bodyHtml).replace(/\s+/g, ' '), terms) ?? highlight(article.summary, terms),
    }));
    return { searched: terms.length > 0, results, total, suggestions };
  }
}
