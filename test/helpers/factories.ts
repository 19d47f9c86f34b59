import type { Container } from '../../server/container';

let n = 0;

/** An article row straight in the table, for tests that are not about the editor. */
export async function makeArticle(
  c: Container,
  over: Partial<{ title: string; slug: string; status: string; publishAt: Date; urgent: boolean }> = {},
): Promise<number> {
  n++;
  const now = c.clock.now().toISOString();
  const [row] = await c
    .db('articles')
    .insert({
      slug: over.slug ?? `article-${n}-${Math.random().toString(36).slice(2, 8)}`,
      title: over.title ?? `Article ${n}`,
      summary: 'Résumé',
      body_md: 'Texte',
      body_html: '<p>Texte</p>',
      status: over.status ?? 'published',
      publish_at: (over.publishAt ?? c.clock.now()).toISOString(),
      urgent: over.urgent ?? false,
      created_at: now,
      updated_at: now,
    })
    .returning('id');
  return typeof row === 'object' ? (row as { id: number }).id : (row as number);
}

export async function makeTestAccount(c: Container, settings: Record<string, unknown> = {}, label = 'Réseau de test'): Promise<number> {
  return c.accounts.insert({ channel: 'test', label, settings }, c.clock.now());
}

export async function makePublication(
  c: Container,
  articleId: number,
  accountId: number,
  scheduledAt: Date,
  status: 'pending' | 'planned' = 'pending',
): Promise<number> {
  const account = await c.accounts.get(accountId);
  return c.publications.insert({ articleId, accountId, channel: account!.channel, textVariant: null, scheduledAt, status }, c.clock.now());
}

/** A confirmed newsletter subscriber, as the sign-up form leaves one after the click in the e-mail. */
export async function makeSubscriber(c: Container, email = 'abonne@exemple.fr'): Promise<number> {
  const now = c.clock.now().toISOString();
  const [row] = await c.db('subscribers').insert({ email, status: 'confirmed', source: 'form', created_at: now, confirmed_at: now }).returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}
