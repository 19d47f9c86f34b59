import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { OutboxService } from '../mail/outbox.service';
import type { User } from '../auth/users.repository';
import { translator } from '../i18n/i18n';
import { monthlyReportEmail } from './stats-report.email';
import type { StatsReportLinks } from './stats-report-links';
import type { StatsReportRepository } from './stats-report.repository';
import { formats } from './stats.present';
import { monthPeriod, previousMonth } from './stats.period';
import type { StatsService } from './stats.service';

export interface StatsReportDeps {
  db: Knex;
  repo: StatsReportRepository;
  stats: StatsService;
  outbox: OutboxService;
  clock: Clock;
  log: Logger;
  timeZone: string;
  baseUrl: string;
  users: () => Promise<User[]>;
  userById: (id: number) => Promise<User | null>;
  communeName: () => Promise<string>;
  links: StatsReportLinks;
}

/** What the e-mail's signed opt-out link opens: whose choice it is, or why the link does not work. */
export type OptOutLink = { ok: true; userId: number; optedOut: boolean } | { ok: false; reason: 'invalid' | 'expired' };

/** A report missed on the 1st (server stopped) still goes out if the job runs by the 3rd. */
const LAST_DAY_TO_SEND = 3;

/** The monthly report e-mailed to the élus on the 1st, and each person's choice not to receive it. */
export class StatsReportService {
  constructor(private readonly d: StatsReportDeps) {}

  optedOut(userId: number): Promise<boolean> {
    return this.d.repo.optedOut(userId);
  }

  setOptOut(userId: number, out: boolean): Promise<void> {
    return this.d.repo.setOptOut(userId, out, this.d.clock.now());
  }

  /** The link's person and their current choice; a deleted account's link is as invalid as a forged one. */
  async optOutLink(token: unknown): Promise<OptOutLink> {
    const link = this.d.links.verify(token);
    if (!link.ok) return link;
    if (!(await this.d.userById(link.userId))) return { ok: false, reason: 'invalid' };
    return { ok: true, userId: link.userId, optedOut: await this.d.repo.optedOut(link.userId) };
  }

  /** The e-mail's link, confirmed (its button, or mail software's one-click POST): no more reports. */
  async optOutByLink(token: unknown): Promise<OptOutLink> {
    const link = await this.optOutLink(token);
    if (!link.ok) return link;
    await this.setOptOut(link.userId, true);
    return { ...link, optedOut: true };
  }

  /**
   * Sends last month's report to every active elected account that did not opt out and has not
   * had it yet. Each send is recorded with its e-mail in one transaction: a second run (or a
   * second instance) sends nothing more.
   */
  async sendDue(): Promise<{ sent: number }> {
    const today = this.d.stats.today();
    if (Number(today.slice(8, 10)) > LAST_DAY_TO_SEND) return { sent: 0 };
    const month = previousMonth(today);
    const [users, optedOut] = await Promise.all([this.d.users(), this.d.repo.optedOutIds()]);
    const recipients = users.filter((u) => u.role === 'elected' && !u.disabledAt && !optedOut.has(u.id));
    if (!recipients.length) return { sent: 0 };
    const period = monthPeriod(month);
    const [report, commune] = await Promise.all([this.d.stats.dashboard(period, { sort: 'reach', dir: 'desc', limit: 0, offset: 0 }), this.d.communeName()]);
    let sent = 0;
    for (const u of recipients) {
      const f = formats(translator(u.locale), u.locale, this.d.timeZone, this.d.stats.channels);
      const msg = monthlyReportEmail({
        to: u.email,
        commune,
        monthLabel: f.bucketLabel(month),
        report,
        reportUrl: `${this.d.baseUrl}/admin/stats/rapport?mois=${month}`,
        optOutUrl: this.d.links.optOutUrl(u.id),
        f,
      });
      const done = await this.d.db.transaction(async (trx) => {
        if (!(await this.d.repo.claimSend(u.id, month, this.d.clock.now(), trx))) return false;
        await this.d.outbox.enqueueEmail(trx, msg, `monthly stats report ${month}`);
        return true;
      });
      if (done) sent++;
    }
    if (sent) this.d.outbox.kick();
    this.d.log.info({ month, sent }, 'monthly stats report queued');
    return { sent };
  }
}
