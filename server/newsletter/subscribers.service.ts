import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { Recipient, SubscribersRepository, SuppressionReason } from './subscribers.repository';

export interface SubscribersDeps {
  db: Knex;
  repo: SubscribersRepository;
  clock: Clock;
}

/**
 * The newsletter's subscribers, as the rest of Crieur sees them: who a campaign goes to, who is
 * still subscribed right before a message leaves, and the suppression list.
 */
export class SubscribersService {
  constructor(protected readonly d: SubscribersDeps) {}

  /** Confirmed subscribers only; 'digest' leaves out "alertes uniquement", 'alert' takes everyone. */
  audience(kind: 'digest' | 'alert'): Promise<Recipient[]> {
    return this.d.repo.audience(kind);
  }

  /** Still confirmed: the sender asks right before each message. */
  isSubscribed(id: number): Promise<boolean> {
    return this.d.repo.isSubscribed(id);
  }

  /** The same question for a batch: the ids still confirmed. */
  stillSubscribed(ids: number[]): Promise<Set<number>> {
    return this.d.repo.stillSubscribed(ids);
  }

  /**
   * Puts an address on the suppression list (a bounce, a complaint, an unsubscription, an
   * erasure) and deletes its subscriber with topics and consents: only the keyed hash remains.
   */
  suppress(email: string, reason: SuppressionReason, at: Date, trx?: Knex): Promise<void> {
    return this.d.repo.suppress(email, reason, at, trx);
  }

  isSuppressed(email: string): Promise<boolean> {
    return this.d.repo.isSuppressed(email);
  }

  /** A click (never an open) or a topic change: pushes back the 3-year re-consent. */
  recordActivity(subscriberId: number, at: Date = this.d.clock.now()): Promise<void> {
    return this.d.repo.recordActivity(subscriberId, at);
  }
}
