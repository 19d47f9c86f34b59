import type { Clock } from '../clock';
import { SUBSCRIBE_WORDINGS, TRACKING_WORDINGS } from './consent';
import type { Subscriber, SubscribersRepository } from './subscribers.repository';
import type { Topic } from './subscribers.service';

/** A versioned sentence as the person read it, the commune's name in place. */
function wordingOf(version: string | null, commune: string): string | null {
  const text = version ? (SUBSCRIBE_WORDINGS[version] ?? TRACKING_WORDINGS[version]) : undefined;
  return text ? text.replace(/\{commune\}/g, commune) : null;
}

/**
 * Everything stored about the subscriber (GDPR arts. 15 and 20), wordings written out, with the
 * sections other domains registered (their deliveries, clicks) under their own names.
 */
export async function personalDataOf(
  s: Subscriber,
  d: { repo: SubscribersRepository; clock: Clock; communeName: () => Promise<string>; topics: () => Promise<Topic[]> },
  sections: ReadonlyMap<string, (subscriberId: number) => Promise<unknown>>,
): Promise<Record<string, unknown>> {
  const names = new Map((await d.topics()).map((t) => [t.id, t.name]));
  const consents = await d.repo.consents(s.id);
  const commune = await d.communeName();
  const data: Record<string, unknown> = {
    exportedAt: d.clock.now().toISOString(),
    email: s.email,
    status: s.status,
    topics: s.topics.map((id) => ({ id, name: names.get(id) ?? null })),
    alertsOnly: s.alertsOnly,
    tracking: s.tracking,
    source: s.source,
    createdAt: s.createdAt.toISOString(),
    confirmedAt: s.confirmedAt?.toISOString() ?? null,
    lastActivityAt: s.lastActivityAt?.toISOString() ?? null,
    reconsentSentAt: s.reconsentSentAt?.toISOString() ?? null,
    consents: consents.map((c) => ({
      at: c.at.toISOString(),
      kind: c.kind,
      source: c.source,
      wordingVersion: c.wordingVersion,
      wording: c.wordingText ?? wordingOf(c.wordingVersion, commune),
      basis: c.basis,
    })),
  };
  for (const [section, load] of sections) data[section] = await load(s.id);
  return data;
}
