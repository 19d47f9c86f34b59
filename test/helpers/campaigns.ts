import sharp from 'sharp';
import type { Container } from '../../server/container';
import type { Recipient } from '../../server/newsletter/campaign-renderer';
import { makeArticle } from './factories';

/** A published article with a category and a real picture (through the media pipeline). */
export async function illustratedArticle(
  c: Container,
  opts: { title: string; categoryId: number | null; summary?: string; urgent?: boolean },
): Promise<number> {
  const id = await makeArticle(c, { title: opts.title, status: 'published', publishAt: new Date(c.clock.now().getTime() - 3600_000), urgent: opts.urgent });
  const jpeg = await sharp({ create: { width: 1600, height: 900, channels: 3, background: '#3366aa' } })
    .jpeg()
    .toBuffer();
  const media = await c.media.ingest(jpeg, 'photo.jpg', { alt: `Photo : ${opts.title}` }, { id: null, label: 'test' });
  await c.media.whenReady(media.id);
  await c
    .db('articles')
    .where({ id })
    .update({
      hero_media_id: media.id,
      hero_alt: `Illustration de « ${opts.title} »`,
      category_id: opts.categoryId,
      summary: opts.summary ?? `Résumé de « ${opts.title} ».`,
    });
  return id;
}

export async function categoryIds(c: Container): Promise<number[]> {
  return (await c.articles.listCategories()).map((k) => k.id);
}

export async function newsletterAccount(c: Container): Promise<number> {
  return ((await c.db('channel_accounts').where({ channel: 'newsletter' }).first('id')) as { id: number }).id;
}

/** A queued newsletter publication (as the adapter leaves it), scheduled at `at`. */
export async function queuedPublication(c: Container, articleId: number, at: Date): Promise<number> {
  return c.publications.insert(
    { articleId, accountId: await newsletterAccount(c), channel: 'newsletter', textVariant: null, scheduledAt: at, status: 'queued' },
    c.clock.now(),
  );
}

export function recipient(over: Partial<Recipient> = {}): Recipient {
  return { id: 41, email: 'habitant@exemple.test', topics: [], alertsOnly: false, tracking: false, ...over };
}

export const LINKS = {
  manageUrl: 'http://crieur.test/lettre/abonnement/SIGNED-MANAGE',
  unsubscribeUrl: 'http://crieur.test/lettre/desabonnement/SIGNED-UNSUB',
};
