import type { Knex } from 'knex';
import type { Clock } from '../clock';
import { translator } from '../i18n/i18n';
import type { OutboxService } from '../mail/outbox.service';
import type { SubscriberLinks } from './subscriber-links';
import { reconsentEmail } from './subscriber-emails';
import type { SubscribersRepository } from './subscribers.repository';

const DAY_MS = 86_400_000;
/** Double opt-in: a request not confirmed within 7 days is deleted (its link expires with it). */
export const PENDING_DAYS = 7;
/** RULES-FR: after 3 years without activity, ask once more… */
export const INACTIVE_DAYS = 3 * 365 + 1;
/** …and delete if there is no answer within 30 days. */
export const ANSWER_DAYS = 30;
// One run asks this many at most: the outbox sends them over the next minutes, and the next run
// takes the rest, so a list imported all on one day does not flood the outbox at once.
const BATCH = 500;

export interface UpkeepDeps {
  db: Knex;
  repo: SubscribersRepository;
  clock: Clock;
  links: SubscriberLinks;
  outbox: OutboxService;
  communeName: () => Promise<string>;
}

/** The scheduled work on the list (jobs/purge-subscribers.ts, jobs/newsletter-reconsent.ts). */
export class SubscriberUpkeep {
  constructor(private readonly d: UpkeepDeps) {}

  /** Unconfirmed requests older than 7 days. */
  async purgePending(): Promise<{ unconfirmed: number }> {
    const before = new Date(this.d.clock.now().getTime() - PENDING_DAYS * DAY_MS);
    return { unconfirmed: await this.d.repo.purgePending(before) };
  }

  /**
   * Deletes those asked 30 days ago who did not answer (no suppression hash: they did not object,
   * and a fresh subscription of theirs must simply work), then asks those inactive for 3 years.
   */
  async reconsent(): Promise<{ asked: number; deleted: number }> {
    const now = this.d.clock.now();
    const deleted = await this.d.repo.deleteUnanswered(new Date(now.getTime() - ANSWER_DAYS * DAY_MS), now);
    const due = await this.d.repo.dueForReconsent(new Date(now.getTime() - INACTIVE_DAYS * DAY_MS), BATCH);
    if (!due.length) return { asked: 0, deleted };
    const commune = await this.d.communeName();
    const t = translator('fr');
    for (const s of due) {
      await this.d.db.transaction(async (trx) => {
        const msg = reconsentEmail({ to: s.email, commune, t, link: this.d.links.reconsentUrl(s.id), unsubscribeLink: this.d.links.unsubscribeUrl(s.id) });
        await this.d.repo.markReconsentSent(s.id, now, trx);
        await this.d.outbox.enqueueEmail(trx, msg, 'Lettre : demande de reconsentement');
      });
    }
    this.d.outbox.kick();
    return { asked: due.length, deleted };
  }
}
