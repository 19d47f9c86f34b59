import type { Knex } from 'knex';
import type { Clock } from '../clock';
import { DomainEvents } from '../events';
import { DomainError, ValidationError } from '../http/errors';
import { translator, type Translate } from '../i18n/i18n';
import type { Logger } from '../logger';
import type { OutboxService } from '../mail/outbox.service';
import type { ThrottleRepository } from '../auth/throttle.repository';
import { CURRENT_TRACKING_WORDING, RECONSENT_WORDING } from './consent';
import { normalizeEmail } from './keys';
import type { LinkPurpose, SubscriberLinks } from './subscriber-links';
import { alreadySubscribedEmail, confirmationEmail } from './subscriber-emails';
import { personalDataOf } from './subscriber-personal-data';
import { SubscribeThrottle } from './subscribe-throttle';
import type { Recipient, Subscriber, SubscribersRepository, SuppressionReason } from './subscribers.repository';
import type { SubscribeInput } from './subscribers.schemas';

export interface Topic {
  id: number;
  name: string;
  slug: string;
}

export interface SubscribersDeps {
  db: Knex;
  repo: SubscribersRepository;
  clock: Clock;
  log: Logger;
  links: SubscriberLinks;
  outbox: OutboxService;
  /** The commune's name, for the e-mails. */
  communeName: () => Promise<string>;
  /** The site's categories, which are the newsletter's topics. */
  topics: () => Promise<Topic[]>;
  throttle: ThrottleRepository;
  throttleKey: Buffer;
}

/** What other domains hear: an unsubscription (counted per campaign by the campaigns). */
export type SubscriberEvents = {
  unsubscribed: [{ subscriberId: number; at: Date; campaign: string | null }];
  /**
   * Erased on request (by the resident or the staff): a domain that keeps rows under the
   * subscriber's number (per-person clicks and opens) deletes them here.
   */
  erased: [{ subscriberId: number; at: Date }];
};

/** A signed link that is forged, altered, expired, or whose subscriber is gone. */
export class LinkError extends DomainError {
  constructor(message = 'Ce lien n’est pas valable : il a expiré, ou l’adresse n’est plus abonnée.') {
    super(message, 404);
  }
}

/** A second insert of the same address (unique index), on SQLite or PostgreSQL. */
function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || (e?.code === 'SQLITE_CONSTRAINT' && /UNIQUE/i.test(e.message ?? ''));
}

/**
 * The newsletter's subscribers: what campaigns and the sender use (audience, still-subscribed
 * checks, suppression list), and the residents' own flows (subscribe with double opt-in,
 * confirm, manage, download, delete, unsubscribe). Staff tools are in SubscribersAdminService.
 */
export class SubscribersService {
  readonly events = new DomainEvents<SubscriberEvents>();
  private readonly personalData = new Map<string, (subscriberId: number) => Promise<unknown>>();
  private readonly trackingForgetters: ((subscriberId: number) => Promise<unknown>)[] = [];

  private readonly throttle: SubscribeThrottle;

  constructor(protected readonly d: SubscribersDeps) {
    this.events.logTo(d.log);
    this.throttle = new SubscribeThrottle(d.throttle, d.throttleKey, d.clock);
  }

  /** Confirmed subscribers only; 'digest' leaves out "alertes uniquement", 'alert' takes everyone. */
  audience(kind: 'digest' | 'alert'): Promise<Recipient[]> {
    return this.d.repo.audience(kind);
  }

  /** A page of the audience, in id order after `after` (the sender freezes a campaign's audience so). */
  audiencePage(kind: 'digest' | 'alert', after: number, limit: number): Promise<Recipient[]> {
    return this.d.repo.audience(kind, undefined, { after, limit });
  }

  /** Those of `ids` still confirmed, with their topics of now (the sender reads each batch so). */
  recipients(ids: number[]): Promise<Map<number, Recipient>> {
    return this.d.repo.recipients(ids);
  }

  /** How many confirmed subscribers there are (an aggregate count for the figures dashboard). */
  confirmedCount(): Promise<number> {
    return this.d.repo.confirmedCount();
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

  /**
   * Another domain that keeps rows about a subscriber (deliveries, clicks of those who opted in)
   * adds them to "download my data" here, under its own name.
   */
  registerPersonalData(section: string, load: (subscriberId: number) => Promise<unknown>): void {
    this.personalData.set(section, load);
  }

  topics(): Promise<Topic[]> {
    return this.d.topics();
  }

  private topicsMemo: { at: number; value: Promise<Topic[]> } | null = null;

  /**
   * The topics for the form shown on every public page: read at most once a minute (categories
   * have no editing screen; a change made in the database shows within a minute).
   */
  cachedTopics(): Promise<Topic[]> {
    const now = Date.now();
    if (!this.topicsMemo || now - this.topicsMemo.at > 60_000) {
      const value = this.d.topics().catch((err: unknown) => {
        this.topicsMemo = null;
        throw err;
      });
      this.topicsMemo = { at: now, value };
    }
    return this.topicsMemo.value;
  }

  /** Sends right away what a committed change queued (the outbox job retries failures). */
  kickOutbox(): void {
    this.d.outbox.kick();
  }

  manageUrl(subscriberId: number): string {
    return this.d.links.manageUrl(subscriberId);
  }

  unsubscribePath(subscriberId: number): string {
    return new URL(this.d.links.unsubscribeUrl(subscriberId)).pathname;
  }

  /**
   * A request from the site's form. The caller answers the same page whatever happens here, so
   * that nobody can learn whether an address is subscribed:
   * - new address: a pending subscriber, the proof of consent, and a confirmation e-mail;
   * - pending: its choices replaced, a new confirmation e-mail;
   * - confirmed: nothing changes (someone else may be typing it); its owner gets a reminder
   *   with the link to their own page;
   * - unsubscribed or erased earlier: treated as new. The suppression list stops imports and
   *   campaigns, not the person: the hash is lifted only when the confirmation link is followed,
   *   which proves the owner of the mailbox asked again;
   * - bounced or complained: nothing is sent. A dead mailbox would bounce again, and a person who
   *   reported the commune's mail as spam must not get more from a form anyone can fill in.
   */
  async subscribe(input: SubscribeInput, ctx: { network: string; honeypot: string }): Promise<void> {
    await this.throttle.countRequest(ctx.network);
    // A bot that filled the hidden field gets the same page and nothing is written.
    if (ctx.honeypot.trim()) return;
    const topics = await this.checkTopics(input.topics, input.alertsOnly);
    const email = normalizeEmail(input.email);
    // Someone typing another person's address again and again, from many networks, would fill
    // their mailbox: a few e-mails a day per address, then the same answer and no e-mail.
    if (!(await this.throttle.mailAllowed(email))) return;
    const commune = await this.d.communeName();
    const t = translator('fr');
    try {
      await this.subscribeOnce(input, email, topics, commune, t);
    } catch (err) {
      // The same new address sent twice at the same moment: the other request wrote it.
      if (isUniqueViolation(err)) return;
      throw err;
    }
  }

  private async subscribeOnce(input: SubscribeInput, email: string, topics: number[], commune: string, t: Translate): Promise<void> {
    const sent = await this.d.db.transaction(async (trx) => {
      const suppressed = await this.d.repo.suppression(email, trx);
      if (suppressed && (suppressed.reason === 'bounced' || suppressed.reason === 'complaint')) return false;
      const existing = await this.d.repo.byEmail(email, trx);
      if (existing?.status === 'confirmed') {
        const msg = alreadySubscribedEmail({ to: email, commune, t, manageLink: this.d.links.manageUrl(existing.id) });
        await this.d.outbox.enqueueEmail(trx, msg, 'Lettre : déjà abonné');
        return true;
      }
      await this.requestConfirmation(trx, { email, topics, alertsOnly: input.alertsOnly, source: 'form', wordingVersion: input.wording, basis: null }, commune);
      return true;
    });
    if (sent) this.d.outbox.kick();
  }

  /**
   * A pending subscriber (new, or an earlier pending request whose choices are replaced), the
   * proof of what was asked, and the confirmation e-mail, in the caller's transaction. Also used
   * for a registration at the desk and an import that asks each address to confirm.
   */
  async requestConfirmation(
    trx: Knex,
    r: { email: string; topics: number[]; alertsOnly: boolean; source: 'form' | 'import' | 'desk'; wordingVersion: string | null; basis: string | null },
    commune: string,
  ): Promise<number> {
    const now = this.d.clock.now();
    const existing = await this.d.repo.byEmail(r.email, trx);
    let id: number;
    if (existing) {
      id = existing.id;
      await this.d.repo.setTopics(id, r.topics, trx);
      await this.d.repo.update(id, { alertsOnly: r.alertsOnly }, trx);
    } else {
      id = await this.d.repo.insert({ email: r.email, status: 'pending', alertsOnly: r.alertsOnly, source: r.source, at: now, topics: r.topics }, trx);
    }
    await this.d.repo.addConsent(id, { at: now, kind: 'subscribe', source: r.source, wordingVersion: r.wordingVersion, basis: r.basis }, trx);
    const msg = confirmationEmail({ to: normalizeEmail(r.email), commune, t: translator('fr'), link: this.d.links.confirmUrl(id) });
    await this.d.outbox.enqueueEmail(trx, msg, 'Lettre : confirmation d’inscription');
    return id;
  }

  /** The subscriber behind a signed link, or a LinkError: forged, expired, or removed since. */
  async byLink(token: unknown, purpose: LinkPurpose): Promise<Subscriber> {
    const link = this.d.links.verify(token, purpose);
    const s = link ? await this.d.repo.byId(link.subscriberId) : null;
    if (!s) throw new LinkError();
    return s;
  }

  /** The confirmation button (POST): pending becomes confirmed once; following it twice is harmless. */
  async confirm(token: unknown): Promise<'confirmed' | 'already'> {
    const s = await this.byLink(token, 'confirm');
    if (s.status === 'confirmed') return 'already';
    const now = this.d.clock.now();
    await this.d.db.transaction(async (trx) => {
      if (!(await this.d.repo.confirm(s.id, now, trx))) return;
      const asked = (await this.d.repo.consents(s.id, trx)).filter((c) => c.kind === 'subscribe').pop();
      await this.d.repo.liftSuppression(s.email, trx);
      await this.d.repo.addConsent(
        s.id,
        { at: now, kind: 'confirm', source: s.source, wordingVersion: asked?.wordingVersion ?? null, basis: asked?.basis ?? null },
        trx,
      );
    });
    return 'confirmed';
  }

  /** Topics and "alertes uniquement", from the subscriber's own page: a topic change is activity. */
  async updatePreferences(token: unknown, input: { topics: number[]; alertsOnly: boolean }): Promise<void> {
    const s = await this.byLink(token, 'manage');
    const topics = await this.checkTopics(input.topics, input.alertsOnly);
    const now = this.d.clock.now();
    await this.d.db.transaction(async (trx) => {
      await this.d.repo.setTopics(s.id, topics, trx);
      await this.d.repo.update(s.id, { alertsOnly: input.alertsOnly }, trx);
      await this.d.repo.recordActivity(s.id, now, trx);
    });
  }

  /**
   * A domain that keeps per-person opens and clicks registers here how to delete one person's:
   * withdrawing the consent deletes what it allowed, before the page says it is done.
   */
  onTrackingWithdrawn(forget: (subscriberId: number) => Promise<unknown>): void {
    this.trackingForgetters.push(forget);
  }

  /** Per-person tracking: its own consent, recorded with its wording, and withdrawn as easily. */
  async setTracking(token: unknown, on: boolean): Promise<void> {
    const s = await this.byLink(token, 'manage');
    if (s.tracking === on) return;
    const now = this.d.clock.now();
    await this.d.db.transaction(async (trx) => {
      await this.d.repo.update(s.id, { tracking: on }, trx);
      const kind = on ? 'tracking-on' : 'tracking-off';
      await this.d.repo.addConsent(s.id, { at: now, kind, source: 'link', wordingVersion: CURRENT_TRACKING_WORDING, basis: null }, trx);
    });
    if (!on) for (const forget of this.trackingForgetters) await forget(s.id);
  }

  /** Everything stored about the subscriber (GDPR arts. 15 and 20), wordings written out. */
  personalDataOf(s: Subscriber): Promise<Record<string, unknown>> {
    return personalDataOf(s, this.d, this.personalData);
  }

  /** "Delete me", after its confirmation page: the address becomes a hash on the suppression list. */
  async erase(token: unknown): Promise<void> {
    const s = await this.byLink(token, 'manage');
    const at = this.d.clock.now();
    await this.d.repo.suppress(s.email, 'erased', at);
    this.events.emit('erased', { subscriberId: s.id, at });
  }

  /**
   * The one-click unsubscribe (RFC 8058 POST, or the button of the page). A valid link whose
   * subscriber is already gone answers as done: mail software may POST more than once.
   */
  async unsubscribe(token: unknown, campaign: string | null = null): Promise<void> {
    const link = this.d.links.verify(token, 'unsubscribe');
    if (!link) throw new LinkError();
    const s = await this.d.repo.byId(link.subscriberId);
    if (!s) return;
    const at = this.d.clock.now();
    await this.d.repo.suppress(s.email, 'unsubscribed', at);
    this.events.emit('unsubscribed', { subscriberId: s.id, at, campaign });
  }

  /** Whether an unsubscribe link is genuine and its subscriber still there (for the GET page). */
  async unsubscribeState(token: unknown): Promise<'subscribed' | 'gone'> {
    const link = this.d.links.verify(token, 'unsubscribe');
    if (!link) throw new LinkError();
    return (await this.d.repo.byId(link.subscriberId)) ? 'subscribed' : 'gone';
  }

  /** "Yes, keep sending": the answer to the 3-year question, recorded as a fresh consent. */
  async reconsent(token: unknown): Promise<void> {
    const s = await this.byLink(token, 'reconsent');
    const now = this.d.clock.now();
    await this.d.db.transaction(async (trx) => {
      await this.d.repo.recordActivity(s.id, now, trx);
      await this.d.repo.addConsent(s.id, { at: now, kind: 'reconsent', source: 'link', wordingVersion: RECONSENT_WORDING, basis: null }, trx);
    });
  }

  /** Known topics only, and something to receive: a digest of no topic would always be empty. */
  protected async checkTopics(ids: number[], alertsOnly: boolean): Promise<number[]> {
    const known = new Set((await this.d.topics()).map((t) => t.id));
    if (ids.some((id) => !known.has(id))) throw new ValidationError('Choisissez des rubriques proposées.', { topics: 'Choisissez des rubriques proposées.' });
    if (!ids.length && !alertsOnly) {
      const message = 'Choisissez au moins une rubrique, ou « alertes uniquement ».';
      throw new ValidationError(message, { topics: message });
    }
    return [...new Set(ids)];
  }
}
