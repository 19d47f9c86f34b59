/** Placeholder until the article editor lands. */
export class ArticlesService {}
