import { XMLValidator } from 'fast-xml-parser';
import type { Container } from '../../server/container';
import type { Article, ArticleInput } from '../../server/articles/articles.types';

export const officer = { id: null, label: 'test' };

/** Writes an article, publishes it and lets the dispatcher put it on the site (visible at once). */
export async function publishArticle(c: Container, input: ArticleInput): Promise<Article> {
  const created = await c.articles.create({ summary: '', bodyMd: '', ...input }, officer);
  await c.articles.transition(created.id, 'published', officer);
  await c.dispatcher.dispatchDue();
  return (await c.articles.get(created.id)) as Article;
}

export async function categoryId(c: Container, slug: string): Promise<number> {
  const row = await c.db('categories').where({ slug }).first('id');
  return (row as { id: number }).id;
}

/** Throws with the parser's message when `text` is not well-formed XML. */
export function expectWellFormedXml(text: string): void {
  const result = XMLValidator.validate(text);
  if (result !== true) throw new Error(`not well-formed XML: ${JSON.stringify(result.err)}`);
}
