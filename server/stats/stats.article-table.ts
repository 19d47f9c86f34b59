import type { ArticleTotal, Split } from '../engagement/engagement.queries';
import { addReach, articleReach, compareArticles, sortArticles, type ArticleReach, type IsNetwork, type SortKey } from './stats.model';

/** The article table of the rolled-up days of one period: its lines, and their orders as asked. */
interface RolledTable {
  reach: Map<number, ArticleReach>;
  sorted: Map<string, ArticleReach[]>;
}

/**
 * The dashboard's article table, computed once per answer about the rolled-up days: the queries
 * give the same array for those until the totals change (a rollup, a new day moving the period),
 * so a table remembered against that array is dropped with it. Each view then only adds the
 * articles with figures today (a few) and puts them back in order, instead of adding up a year
 * of totals per article and sorting thousands of lines again.
 */
export class ArticleTables {
  private readonly rolled = new WeakMap<ArticleTotal[], RolledTable>();

  constructor(private readonly isNetwork: IsNetwork) {}

  /** Every article of the period with figures, in the order asked. Shared lines: not to be changed. */
  sorted(split: Split<ArticleTotal>, key: SortKey, dir: 'asc' | 'desc'): ArticleReach[] {
    const table = this.table(split.rolled);
    const order = `${key}|${dir}`;
    let base = table.sorted.get(order);
    if (!base) table.sorted.set(order, (base = sortArticles([...table.reach.values()], key, dir)));
    if (!split.fresh.length) return base;
    const changed = new Map<number, ArticleReach>();
    for (const today of articleReach(split.fresh, this.isNetwork)) {
      const before = table.reach.get(today.articleId);
      changed.set(today.articleId, before ? addReach(before, today) : today);
    }
    return mergeSorted(
      base.filter((a) => !changed.has(a.articleId)),
      sortArticles([...changed.values()], key, dir),
      compareArticles(key, dir),
    );
  }

  private table(rows: ArticleTotal[]): RolledTable {
    let table = this.rolled.get(rows);
    if (!table) {
      table = { reach: new Map(articleReach(rows, this.isNetwork).map((a) => [a.articleId, a])), sorted: new Map() };
      this.rolled.set(rows, table);
    }
    return table;
  }
}

/** Two lists sorted by `cmp`, as one. */
function mergeSorted<T>(a: T[], b: T[], cmp: (x: T, y: T) => number): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(cmp(a[i] as T, b[j] as T) <= 0 ? (a[i++] as T) : (b[j++] as T));
  while (i < a.length) out.push(a[i++] as T);
  while (j < b.length) out.push(b[j++] as T);
  return out;
}
