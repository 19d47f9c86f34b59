import type { Container } from '../../server/container';
import { DEFAULT_NEWSLETTER_SETTINGS } from '../../server/settings/settings.defaults';
import { makeArticle } from './factories';

export const SYSTEM = { id: null, label: 'test' };

/** Confirmed subscribers straight in the tables (fast for thousands), with their topics. */
export async function seedSubscribers(
  c: Container,
  count: number,
  opts: { topics: number[]; prefix?: string; alertsOnly?: boolean },
): Promise<{ id: number; email: string }[]> {
  const at = c.clock.now().toISOString();
  const prefix = opts.prefix ?? 'habitant';
  const start = (await c.db('subscribers').max({ m: 'id' }).first())?.m ?? 0;
  for (let i = 0; i < count; i += 500) {
    const rows = Array.from({ length: Math.min(500, count - i) }, (_, k) => ({
      email: `${prefix}${Number(start) + i + k + 1}@exemple.test`,
      status: 'confirmed',
      alerts_only: opts.alertsOnly ?? false,
      tracking: false,
      source: 'form',
      created_at: at,
      confirmed_at: at,
      last_activity_at: at,
    }));
    await c.db.batchInsert('subscribers', rows, 500);
  }
  const subs = (await c.db('subscribers').where('email', 'like', `${prefix}%`).andWhere('id', '>', start).orderBy('id').select('id', 'email')) as {
    id: number;
    email: string;
  }[];
  const topicRows = subs.flatMap((s) => opts.topics.map((t) => ({ subscriber_id: s.id, category_id: t })));
  await c.db.batchInsert('subscriber_topics', topicRows, 500);
  return subs;
}

/** Published articles in the given categories, and a hand-made campaign holding them (draft). */
export async function campaignWith(c: Container, categories: number[], subject = 'La lettre de la commune'): Promise<number> {
  const ids: number[] = [];
  for (const [k, cat] of categories.entries()) {
    const id = await makeArticle(c, {
      title: `Nouvelle ${k + 1} : travaux rue des Écoles`,
      status: 'published',
      publishAt: new Date(c.clock.now().getTime() - 3600_000),
    });
    await c
      .db('articles')
      .where({ id })
      .update({ category_id: cat, summary: `Résumé de la nouvelle ${k + 1}.` });
    ids.push(id);
  }
  return c.campaigns.create({ subject, intro: 'Bonjour à toutes et à tous.', articleIds: ids }, SYSTEM);
}

/** The window open all day (the tests run at any hour) and the cap given. */
export async function openWindow(c: Container, hourlyCap = 100_000): Promise<void> {
  await c.settings.saveNewsletter(
    { ...DEFAULT_NEWSLETTER_SETTINGS, windowStart: '00:00', windowEnd: '23:59', hourlyCap, senderName: '', senderEmail: '' },
    SYSTEM,
  );
}

export async function deliveryStatuses(c: Container, campaignId: number): Promise<Record<string, number>> {
  const rows: { status: string; n: unknown }[] = await c
    .db('campaign_deliveries')
    .where({ campaign_id: campaignId })
    .select('status')
    .count({ n: '*' })
    .groupBy('status');
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
