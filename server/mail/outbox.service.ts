import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { MailMessage, Mailer } from './mailer';
import type { OutboxRepository } from './outbox.repository';

const MAX_ATTEMPTS = 8;

/**
 * Side effects that follow a database change. `enqueueEmail` runs inside the caller's
 * transaction, so a rolled-back change sends nothing; `deliverDue` runs after the commit (right
 * away for a snappy invitation, and from a job to retry what failed).
 */
export class OutboxService {
  constructor(
    private readonly repo: OutboxRepository,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  enqueueEmail(trx: Knex, msg: MailMessage, summary: string): Promise<number> {
    const now = this.clock.now();
    return this.repo.enqueue({ kind: 'email', payload: msg, summary, availableAt: now }, now, trx);
  }

  private inFlight: Promise<unknown> = Promise.resolve();

  /** Starts a delivery right after a commit without making the request wait for SMTP. */
  kick(): void {
    this.inFlight = this.inFlight.then(() => this.deliverDue()).catch((err) => this.log.warn({ err }, 'immediate outbox delivery failed'));
  }

  /** Resolves once deliveries started by kick() are done (shutdown, tests). */
  async idle(): Promise<void> {
    await this.inFlight;
  }

  /** Delivers what is due; returns how many were sent. Safe to call from several places at once. */
  async deliverDue(limit = 50): Promise<number> {
    let sent = 0;
    for (const row of await this.repo.due(this.clock.now(), limit)) {
      if (!(await this.repo.claim(row.id))) continue;
      try {
        if (row.kind !== 'email' || !row.payload) throw new Error(`unknown outbox kind ${row.kind}`);
        await this.mailer.send(JSON.parse(row.payload) as MailMessage);
        await this.repo.markSent(row.id, this.clock.now());
        sent++;
      } catch (err) {
        const attempts = row.attempts + 1;
        const backoffMs = Math.min(2 ** attempts * 30_000, 6 * 3600_000);
        this.log.warn({ err, outboxId: row.id, attempts }, 'outbox delivery failed');
        await this.repo.markRetry(
          row.id,
          attempts,
          String((err as Error).message ?? err),
          new Date(this.clock.now().getTime() + backoffMs),
          attempts >= MAX_ATTEMPTS,
        );
      }
    }
    return sent;
  }

  /** Delivered rows hold nothing useful after a month (their payload is already emptied). */
  purgeDelivered(): Promise<number> {
    return this.repo.purgeSentBefore(new Date(this.clock.now().getTime() - 30 * 86_400_000));
  }
}
