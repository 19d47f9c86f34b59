import type { Actor, AuditRepository } from '../audit/audit.repository';
import type { Article } from '../articles/articles.types';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import type { MailMessage } from '../mail/mailer';
import type { Publication } from '../publishing/publications.repository';
import type { CommuneSettings, NewsletterSettings } from '../settings/settings.defaults';
import { formatDate } from '../i18n/format';
import { addressOf, campaignMessage, type Sender } from './campaign-message';
import type { CampaignRenderer, Recipient, RenderedCampaign } from './campaign-renderer';
import type { Campaign, CampaignsRepository, CampaignStatus } from './campaigns.repository';
import { lastDigestSlot } from './digest-schedule';
import { CampaignTracking } from './campaign-tracking';
import type { EngagementEvent } from '../engagement/engagement.types';

/** Starts sending a campaign: freezes its audience and creates its deliveries (the sending domain). */
export interface CampaignStarter {
  start(campaignId: number): Promise<void>;
}

export interface CampaignsDeps {
  repo: CampaignsRepository;
  renderer: CampaignRenderer;
  audit: AuditRepository;
  clock: Clock;
  log: Logger;
  baseUrl: string;
  timeZone: string;
  smtpFrom: string;
  trackingSecret: string;
  settings: { get(): Promise<CommuneSettings>; newsletter(): Promise<NewsletterSettings> };
  articles: { get(id: number): Promise<Article | null>; listCategories(): Promise<{ id: number }[]> };
  /** Newsletter publications waiting for a campaign (status queued). */
  queuedPublications: () => Promise<Publication[]>;
  reportDelivery: (publicationId: number, result: { ok: true; externalId: string | null; url: string | null }) => Promise<boolean>;
  mailer: { send(msg: MailMessage): Promise<{ messageId: string }> };
  /** A click by an opted-in subscriber is activity (RULES-FR: clicks, not opens). */
  recordActivity?: (subscriberId: number, at: Date) => Promise<void>;
  /** Which of these subscribers are still subscribed (the others' per-person figures are forgotten). */
  stillSubscribed?: (ids: number[]) => Promise<Set<number>>;
  /** The engagement store: anonymous opens and clicks, as counts (never who). */
  engagement?: { record(...events: EngagementEvent[]): void };
}

export const MAX_ARTICLES = 12;
export const MAX_TEST_ADDRESSES = 5;
// A digest whose time passed while Crieur was stopped still goes out the same day, not a week later.
const DIGEST_GRACE_MS = 24 * 3600_000;

/**
 * Newsletter campaigns: the weekly digest built from queued newsletter publications, the alert of
 * an urgent article, the letters staff compose by hand; scheduling, test sends, the end of a
 * send (markSent, which reports each publication delivered) and the anonymous figures.
 */
export class CampaignsService {
  private starter: CampaignStarter | null = null;
  /** Starts kicked off without waiting, so that closing the program lets them finish first. */
  private readonly kicked = new Set<Promise<unknown>>();

  /** Opens, clicks and what is kept of each person who opted in to per-person measurement. */
  readonly tracking: CampaignTracking;

  constructor(private readonly d: CampaignsDeps) {
    this.tracking = new CampaignTracking(d);
  }

  /** The sending domain plugs itself in here (container.ts); without it campaigns wait, scheduled. */
  useStarter(starter: CampaignStarter): void {
    this.starter = starter;
  }

  get(id: number): Promise<Campaign | null> {
    return this.d.repo.get(id);
  }

  async getOrFail(id: number): Promise<Campaign> {
    const c = await this.d.repo.get(id);
    if (!c) throw new NotFoundError('Cette lettre n’existe pas.');
    return c;
  }

  list(opts: { limit: number; offset: number; status?: CampaignStatus }) {
    return this.d.repo.list(opts);
  }

  /** A sent letter by its public number (the web version). */
  byNumber(number: number): Promise<Campaign | null> {
    return this.d.repo.byNumber(number);
  }

  archive(opts: { limit: number; offset: number }) {
    return this.d.repo.archive(opts);
  }

  articlesOf(id: number) {
    return this.d.repo.articles(id);
  }

  clickTotals(ids: number[]) {
    return this.d.repo.clickTotals(ids);
  }

  /** Figures a person may see: opens (an estimate), clicks per link, opted-in people. */
  async figures(id: number) {
    const [campaign, links, people] = await Promise.all([this.getOrFail(id), this.d.repo.links(id), this.d.repo.trackedPeople(id)]);
    return { opens: campaign.opens, links, clicks: links.reduce((n, l) => n + l.clicks, 0), people };
  }

  /** Who sends: the newsletter settings' name and address, else the commune and SMTP_FROM. */
  async sender(): Promise<Sender> {
    const [commune, n] = await Promise.all([this.d.settings.get(), this.d.settings.newsletter()]);
    return { name: n.senderName || commune.name, address: n.senderEmail || addressOf(this.d.smtpFrom) };
  }

  webUrl(number: number): string {
    return `${this.d.baseUrl}/lettres/${number}`;
  }

  /** A letter composed by hand: chosen published articles and an introduction, as a draft. */
  async create(input: { subject: string; intro: string; articleIds: number[] }, actor: Actor): Promise<number> {
    const articleIds = await this.checkArticles(input.articleIds);
    // A chosen article whose newsletter publication waits goes out with this letter, not again in the digest.
    const waiting = await this.waitingPublications();
    const taken = await this.d.repo.publicationsInCampaigns(waiting.map((p) => p.id));
    const pubOf = new Map(waiting.filter((p) => !taken.has(p.id)).map((p) => [p.articleId, p.id]));
    const id = await this.d.repo.insert(
      { kind: 'manual', subject: input.subject, intro: input.intro, createdBy: actor.id },
      articleIds.map((a) => ({ articleId: a, publicationId: pubOf.get(a) ?? null })),
      this.d.clock.now(),
    );
    if (id === null) throw new Error('campaign not created');
    await this.d.audit.append(
      { actor, action: 'campaign.created', targetType: 'campaign', targetId: id, details: { title: input.subject } },
      this.d.clock.now(),
    );
    return id;
  }

  async update(id: number, input: { subject: string; intro: string; articleIds: number[] }, actor: Actor): Promise<void> {
    const c = await this.getOrFail(id);
    if (c.status !== 'draft' || c.kind !== 'manual') throw new ConflictError('Seule une lettre en brouillon composée à la main peut être modifiée.');
    await this.d.repo.update(id, { ...input, articleIds: await this.checkArticles(input.articleIds) });
    await this.d.audit.append(
      { actor, action: 'campaign.updated', targetType: 'campaign', targetId: id, details: { title: input.subject } },
      this.d.clock.now(),
    );
  }

  private async checkArticles(ids: number[]): Promise<number[]> {
    const unique = [...new Set(ids)];
    if (!unique.length)
      throw new ValidationError('Le formulaire contient des erreurs : corrigez les champs signalés.', { articleIds: 'Choisissez au moins un article.' });
    if (unique.length > MAX_ARTICLES)
      throw new ValidationError('Le formulaire contient des erreurs : corrigez les champs signalés.', {
        articleIds: 'Une lettre contient 12 articles au plus.',
      });
    const now = this.d.clock.now();
    for (const id of unique) {
      const a = await this.d.articles.get(id);
      if (!a || a.status !== 'published' || (a.publishAt && a.publishAt > now))
        throw new ValidationError('Le formulaire contient des erreurs : corrigez les champs signalés.', {
          articleIds: 'Choisissez des articles déjà publiés sur le site.',
        });
    }
    return unique;
  }

  /** Sends at `at` (now when omitted): the campaign waits as scheduled until its time. */
  async schedule(id: number, at: Date | null, actor: Actor): Promise<void> {
    const c = await this.getOrFail(id);
    const now = this.d.clock.now();
    const when = at ?? now;
    if (when.getTime() < now.getTime() - 60_000) throw new ValidationError('Choisissez un moment à venir.', { scheduledFor: 'Choisissez un moment à venir.' });
    if (!(await this.d.repo.articles(id)).length) throw new ConflictError('Cette lettre ne contient aucun article : rien à envoyer.');
    if (!(await this.d.repo.transition(id, ['draft', 'scheduled'], { status: 'scheduled', scheduledFor: when })))
      throw new ConflictError('Cette lettre est déjà partie ou annulée.');
    await this.d.audit.append(
      { actor, action: 'campaign.scheduled', targetType: 'campaign', targetId: id, details: { title: c.subject, at: when.toISOString() } },
      now,
    );
    if (when <= now) this.kick(id);
  }

  async cancel(id: number, actor: Actor): Promise<void> {
    const c = await this.getOrFail(id);
    if (!(await this.d.repo.transition(id, ['draft', 'scheduled'], { status: 'cancelled' })))
      throw new ConflictError('Cette lettre est déjà en cours d’envoi ou partie : elle ne peut plus être annulée.');
    await this.d.audit.append({ actor, action: 'campaign.cancelled', targetType: 'campaign', targetId: id, details: { title: c.subject } }, this.d.clock.now());
  }

  /** Staff look at a campaign as a subscriber of every topic would receive it. */
  async preview(id: number): Promise<RenderedCampaign> {
    await this.getOrFail(id);
    return this.d.renderer.preview(id);
  }

  /** A reader of every topic, no tracking: previews, test sends, the CLI. */
  async everyTopic(email: string): Promise<Recipient> {
    const topics = (await this.d.articles.listCategories()).map((c) => c.id);
    return { id: 0, email, topics, alertsOnly: false, tracking: false };
  }

  /** Placeholder links for copies that go to no subscriber (test sends, the CLI preview). */
  exampleLinks(): { manageUrl: string; unsubscribeUrl: string } {
    return { manageUrl: `${this.d.baseUrl}/lettre`, unsubscribeUrl: `${this.d.baseUrl}/lettre` };
  }

  /** A test copy to each address, straight through the mailer, "[TEST]" in the subject. */
  async testSend(id: number, addresses: string[], actor: Actor): Promise<number> {
    const c = await this.getOrFail(id);
    const prepared = await this.d.renderer.preview(id, { saveLinks: true });
    const sender = await this.sender();
    for (const to of addresses) {
      await this.d.mailer.send(campaignMessage(prepared, await this.everyTopic(to), this.exampleLinks(), sender, { test: true }));
    }
    await this.d.audit.append(
      { actor, action: 'campaign.test_sent', targetType: 'campaign', targetId: id, details: { title: c.subject, count: addresses.length } },
      this.d.clock.now(),
    );
    return addresses.length;
  }

  /**
   * The sender reports that the campaign has started: it gets its public number, unless it has
   * nobody to reach (no subscriber yet, as in the demo): "Lettre n° 1" is then the first letter
   * that someone received, not an alert that went nowhere.
   */
  async markStarted(campaignId: number, at: Date): Promise<number | null> {
    await this.d.repo.transition(campaignId, ['draft', 'scheduled'], { status: 'started', startedAt: at });
    return this.numberIfReached(campaignId);
  }

  private async numberIfReached(campaignId: number): Promise<number | null> {
    if ((await this.d.repo.recipientCount(campaignId)) > 0) return this.d.repo.assignNumber(campaignId);
    await this.d.repo.dropNumber(campaignId);
    return null;
  }

  /**
   * The sender reports that every copy went out: the campaign is sent, numbered, and each of its
   * newsletter publications is reported delivered, pointing at the web version.
   */
  async markSent(campaignId: number, at: Date): Promise<void> {
    const c = await this.getOrFail(campaignId);
    if (c.status === 'cancelled') return;
    // A number given at start is kept; one taken back at start (nobody to reach) is not given again.
    const number = c.number ?? ((await this.d.repo.recipientCount(campaignId)) > 0 ? await this.d.repo.assignNumber(campaignId) : null);
    await this.d.repo.transition(campaignId, ['draft', 'scheduled', 'started'], { status: 'sent', sentAt: at, ...(c.startedAt ? {} : { startedAt: at }) });
    // Reaching nobody is no failure (the article is out); there is just no web version to point at.
    const delivered =
      number === null ? { ok: true as const, externalId: null, url: null } : { ok: true as const, externalId: `campaign-${number}`, url: this.webUrl(number) };
    for (const a of await this.d.repo.articles(campaignId)) {
      if (a.publicationId !== null) await this.d.reportDelivery(a.publicationId, delivered);
    }
  }

  /**
   * Queued newsletter publications no campaign holds yet, of articles still published (one
   * archived or unpublished since waits, and goes with a later letter if it comes back).
   */
  private async waitingPublications(): Promise<Publication[]> {
    const queued = await this.d.queuedPublications();
    const taken = await this.d.repo.publicationsInCampaigns(queued.map((p) => p.id));
    const out: Publication[] = [];
    for (const p of queued) {
      if (taken.has(p.id)) continue;
      if ((await this.d.articles.get(p.articleId))?.status === 'published') out.push(p);
    }
    return out;
  }

  /**
   * The digest of the slot `now` falls after: the queued newsletter publications due by then,
   * oldest first. Nothing due: no campaign at all (nobody gets an empty e-mail). The slot is
   * unique: another instance building the same digest gets nothing.
   */
  async buildDueDigest(now = this.d.clock.now()): Promise<number | null> {
    const n = await this.d.settings.newsletter();
    const slot = lastDigestSlot(now, n.digestDay, n.digestTime, this.d.timeZone);
    if (now.getTime() - slot.getTime() > DIGEST_GRACE_MS) return null;
    const due = (await this.waitingPublications()).filter((p) => p.scheduledAt <= slot).sort((a, b) => a.scheduledAt.getTime() - b.scheduledAt.getTime());
    const seen = new Set<number>();
    const items = due.filter((p) => !seen.has(p.articleId) && seen.add(p.articleId)).map((p) => ({ articleId: p.articleId, publicationId: p.id }));
    if (!items.length) return null;
    const commune = await this.d.settings.get();
    const subject = `${commune.name} : la lettre du ${formatDate(slot, 'fr', this.d.timeZone)}`;
    return this.d.repo
      .insert(
        { kind: 'digest', subject, intro: '', createdBy: null, digestSlot: slot.toISOString(), status: 'scheduled', scheduledFor: slot },
        items.slice(0, MAX_ARTICLES * 2),
        now,
      )
      .then((id) => {
        if (id !== null) this.d.log.info({ campaignId: id, articles: items.length }, 'digest built');
        return id;
      });
  }

  /** What the next digest would hold now, for the CLI preview: due by the next slot. */
  async nextDigestArticles(): Promise<number[]> {
    const seen = new Set<number>();
    return (await this.waitingPublications())
      .sort((a, b) => a.scheduledAt.getTime() - b.scheduledAt.getTime())
      .filter((p) => !seen.has(p.articleId) && seen.add(p.articleId))
      .map((p) => p.articleId)
      .slice(0, MAX_ARTICLES * 2);
  }

  /**
   * The urgent article's alert: a campaign of that article alone, to every subscriber, started at
   * once. A publication already in a campaign (the adapter called twice) makes no second alert.
   */
  async alertFor(articleId: number, publicationId: number): Promise<number> {
    const existing = await this.d.repo.campaignOfPublication(publicationId);
    if (existing) return existing.id;
    const article = await this.d.articles.get(articleId);
    const now = this.d.clock.now();
    const id = (await this.d.repo.insert(
      { kind: 'alert', subject: `Alerte : ${article?.title ?? ''}`.slice(0, 200), intro: '', createdBy: null, status: 'scheduled', scheduledFor: now },
      [{ articleId, publicationId }],
      now,
    )) as number;
    this.kick(id);
    return id;
  }

  /** Which campaign holds a publication (the adapter's look-up after a crash). */
  campaignOfPublication(publicationId: number) {
    return this.d.repo.campaignOfPublication(publicationId);
  }

  /** The scheduled job: builds the digest when its time has come, and starts what is due. */
  async runDue(): Promise<{ digests: number; started: number; forgotten: number }> {
    const digest = await this.buildDueDigest();
    const forgotten = await this.tracking.forgetDeparted();
    let started = 0;
    if (this.starter) {
      for (const c of await this.d.repo.dueScheduled(this.d.clock.now())) {
        try {
          await this.starter.start(c.id);
          started++;
        } catch (err) {
          this.d.log.error({ err, campaignId: c.id }, 'campaign could not start');
        }
      }
    }
    return { digests: digest === null ? 0 : 1, started, forgotten };
  }

  /** Starts a campaign now, without holding up the caller; the job starts it anyway if this fails. */
  private kick(id: number): void {
    if (!this.starter) return;
    const started: Promise<unknown> = this.starter
      .start(id)
      .catch((err: unknown) => this.d.log.error({ err, campaignId: id }, 'campaign could not start'))
      .finally(() => this.kicked.delete(started));
    this.kicked.add(started);
  }

  /** Resolves once every start kicked off by this process has finished (on close). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.kicked]);
  }
}
