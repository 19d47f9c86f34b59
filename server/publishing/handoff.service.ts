import type { Knex } from 'knex';
import type { Actor, AuditRepository } from '../audit/audit.repository';
import { can } from '../auth/permissions';
import { articleUrl } from '../articles/article-url';
import type { User } from '../auth/users.repository';
import type { Clock } from '../clock';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import type { Logger } from '../logger';
import type { MailMessage } from '../mail/mailer';
import type { MediaItem } from '../media/media.types';
import type { AccountsRepository } from './accounts.repository';
import type { PublishableArticle } from './channels/channel-adapter';
import type { HandoffNotice } from './channels/handoff.adapter';
import type { AdapterRegistry } from './channels/registry';
import { cardImage } from './post-previews';
import type { Publication, PublicationsRepository } from './publications.repository';
import type { PublishingService } from './publishing.service';

export interface HandoffDeps {
  db: Knex;
  pubs: PublicationsRepository;
  accounts: AccountsRepository;
  adapters: AdapterRegistry;
  audit: AuditRepository;
  outbox: { enqueueEmail(trx: Knex, msg: MailMessage, summary: string): Promise<number>; kick(): void };
  /** People who may receive the notice: those who can publish get it. */
  users: () => Promise<User[]>;
  media: { get(id: number): Promise<MediaItem> };
  loadArticle: (id: number) => Promise<PublishableArticle | null>;
  publishing: () => PublishingService;
  clock: Clock;
  log: Logger;
  baseUrl: string;
}

/** One post waiting for the officer, as the dashboard and its page show it. */
export interface HandoffItem {
  publication: Publication;
  articleTitle: string;
  network: string;
}

const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ').trim();

/**
 * Posts a person makes by hand on a network Crieur has no connector for: told by e-mail when
 * due, listed on the dashboard, given the text and the picture, and marked done with the post's
 * address, which makes it `sent` like any other publication.
 */
export class HandoffService {
  constructor(private readonly d: HandoffDeps) {}

  private manual(channel: string): boolean {
    return !!this.d.adapters.get(channel)?.capabilities.manual;
  }

  /** Called by the hand-off adapter at the post's time: an e-mail to everyone who can publish. */
  async notify(n: HandoffNotice): Promise<void> {
    const people = (await this.d.users()).filter((u) => !u.disabledAt && can(u.role, 'articles.publish'));
    const link = `${this.d.baseUrl}/admin/handoff/${n.publicationId}`;
    const subject = oneLine(`À publier à la main sur ${n.network} : ${n.articleTitle}`).slice(0, 200);
    const text = [
      `Bonjour,`,
      ``,
      `L’article « ${oneLine(n.articleTitle)} » est à publier maintenant sur ${oneLine(n.network)}, à la main.`,
      ``,
      `Le texte à copier :`,
      ``,
      n.text,
      ``,
      `Le texte, l’image à télécharger et le bouton pour indiquer l’adresse de la publication une fois faite :`,
      link,
    ].join('\n');
    await this.d.db.transaction(async (trx) => {
      for (const u of people) await this.d.outbox.enqueueEmail(trx, { to: u.email, subject, text }, `hand-off ${n.publicationId}`);
    });
    this.d.outbox.kick();
  }

  /** Posts waiting for a person, oldest first. */
  async waiting(): Promise<HandoffItem[]> {
    const queued = (await this.d.pubs.listByStatus(['queued'], 500)).filter((p) => this.manual(p.channel));
    const out: HandoffItem[] = [];
    for (const p of queued.sort((a, b) => a.scheduledAt.getTime() - b.scheduledAt.getTime())) out.push(await this.item(p));
    return out;
  }

  private async item(p: Publication): Promise<HandoffItem> {
    const [article, account] = await Promise.all([this.d.loadArticle(p.articleId), this.d.accounts.get(p.accountId)]);
    return { publication: p, articleTitle: article?.title ?? '', network: String(account?.settings.network ?? account?.label ?? '') };
  }

  /** Everything the officer needs to post by hand: the text, the picture and its alt text. */
  async page(id: number): Promise<HandoffItem & { text: string; image: { url: string; alt: string } | null; articleUrl: string }> {
    const p = await this.d.pubs.get(id);
    if (!p || !this.manual(p.channel)) throw new NotFoundError('Cette publication n’existe pas.');
    const article = await this.d.loadArticle(p.articleId);
    if (!article) throw new NotFoundError('L’article n’existe plus.');
    const item = await this.item(p);
    const texts = await this.d.publishing().texts.parts(p.articleId, p.accountId, p.textVariant, false);
    const media = article.heroMediaId && article.heroAlt.trim() ? await this.d.media.get(article.heroMediaId).catch(() => null) : null;
    const url = cardImage(media);
    return {
      ...item,
      text: texts.join('\n\n'),
      image: url ? { url, alt: article.heroAlt.trim() } : null,
      articleUrl: articleUrl(this.d.baseUrl, article.slug),
    };
  }

  /** The officer posted it: its address makes it sent. Only a web address is taken. */
  async markDone(id: number, address: string, actor: Actor): Promise<Publication> {
    const p = await this.d.pubs.get(id);
    if (!p || !this.manual(p.channel)) throw new NotFoundError('Cette publication n’existe pas.');
    const url = parseWebAddress(address);
    if (!url) throw new ValidationError('Indiquez l’adresse de la publication, qui commence par https:// (copiez-la depuis le réseau).');
    if (p.status !== 'queued') throw new ConflictError('Cette publication n’attend pas d’être faite à la main.');
    if (!(await this.d.publishing().reportDelivery(id, { ok: true, externalId: url, url })))
      throw new ConflictError('Cette publication n’attend pas d’être faite à la main.');
    await this.d.audit.append(
      { actor, action: 'publication.handoff_done', targetType: 'publication', targetId: id, details: { article: p.articleId, url } },
      this.d.clock.now(),
    );
    return (await this.d.pubs.get(id)) as Publication;
  }
}

/** An http(s) address with a host, at most 2,000 characters; null otherwise. */
export function parseWebAddress(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const v = raw.trim();
  if (!v || v.length > 2000 || /[\s<>"]/.test(v)) return null;
  try {
    const u = new URL(v);
    if ((u.protocol !== 'https:' && u.protocol !== 'http:') || !u.hostname.includes('.')) return null;
    return u.toString();
  } catch {
    return null;
  }
}
