import type { AccountsRepository, ChannelAccount } from './accounts.repository';
import { takesPictures, textCapabilityOf, type ChannelMessage, type PublishableArticle } from './channels/channel-adapter';
import type { AdapterRegistry } from './channels/registry';
import type { PortsFactory } from './dispatcher';
import type { CountMethod } from './post-count';
import { defaultText, MAX_PARTS, postParts, splitIntoParts } from './post-text';
import { CODES } from './publishing.messages';

/** What the channels page needs to edit and preview one account's post. */
export interface ChannelText {
  accountId: number;
  channel: string;
  /** The network's name as officers know it. */
  network: string;
  /** null: the channel posts no text (the site). */
  limit: number | null;
  method: CountMethod;
  threads: boolean;
  takesImages: boolean;
  /** The generated texts, as one post and as a thread. */
  defaultSingle: string;
  defaultThread: string;
}

export interface TextChoice {
  accountId: number;
  enabled: boolean;
  textVariant?: string | null;
  asThread?: boolean;
}

/** Line ends as the browser posts them (CRLF) and as the server generates them (LF) compare equal. */
export function sameText(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/\r\n?/g, '\n').trim();
  return norm(a) === norm(b);
}

/**
 * The officer's side of a post's text: the default shown in each channel's field, whether a
 * typed text fits (counted the network's way), and the picture's alt text, checked before a
 * publication is saved rather than discovered when it fails.
 */
export class PostComposer {
  constructor(
    private readonly accounts: Pick<AccountsRepository, 'list'>,
    private readonly adapters: AdapterRegistry,
    private readonly loadArticle: (id: number) => Promise<PublishableArticle | null>,
    private readonly ports: PortsFactory,
  ) {}

  /** Each account's text settings and generated defaults for this article. */
  async forArticle(articleId: number, accounts?: ChannelAccount[]): Promise<Map<number, ChannelText>> {
    const out = new Map<number, ChannelText>();
    const article = await this.loadArticle(articleId);
    if (!article) return out;
    for (const account of accounts ?? (await this.accounts.list())) {
      const adapter = this.adapters.get(account.channel);
      if (!adapter) continue;
      // The account's own limit where its network has one per account (a Mastodon instance's).
      const text = textCapabilityOf(adapter, account);
      const url = this.ports(article, { id: 0, channel: account.channel, accountId: account.id }).articleUrl();
      const source = { title: article.title, summary: article.summary, url, hashtags: article.hashtags ?? [] };
      out.set(account.id, {
        accountId: account.id,
        channel: account.channel,
        network: adapter.label,
        limit: text?.limit ?? null,
        method: text?.method ?? 'graphemes',
        threads: adapter.capabilities.threads,
        takesImages: takesPictures(adapter.capabilities),
        defaultSingle: text ? defaultText(source, text, false) : '',
        defaultThread: text && adapter.capabilities.threads ? defaultText(source, text, true) : '',
      });
    }
    return out;
  }

  /**
   * The choices as they will be stored: a text left as generated is no variant (it follows the
   * article when the title or summary changes); a thread only where the network has threads.
   */
  normalise<T extends TextChoice>(items: T[], texts: Map<number, ChannelText>): T[] {
    return items.map((item) => {
      const ct = texts.get(item.accountId);
      const asThread = !!item.asThread && !!ct?.threads;
      let textVariant = item.textVariant ?? null;
      if (textVariant && ct && (sameText(textVariant, ct.defaultSingle) || (ct.defaultThread && sameText(textVariant, ct.defaultThread)))) textVariant = null;
      if (textVariant) textVariant = textVariant.replace(/\r\n?/g, '\n');
      return { ...item, textVariant, asThread };
    });
  }

  /**
   * Problems to show next to the fields, keyed like them: a text longer than its network allows
   * (unless it goes as a thread), a thread of more than MAX_PARTS parts, a picture without its alt
   * text on a network that takes pictures.
   */
  async problems(articleId: number, items: TextChoice[], accounts?: ChannelAccount[]): Promise<Record<string, ChannelMessage>> {
    const problems: Record<string, ChannelMessage> = {};
    const [article, texts] = await Promise.all([this.loadArticle(articleId), this.forArticle(articleId, accounts)]);
    const list = accounts ?? (await this.accounts.list());
    for (const item of items) {
      if (!item.enabled) continue;
      const account = list.find((a) => a.id === item.accountId);
      const adapter = account && this.adapters.get(account.channel);
      const ct = texts.get(item.accountId);
      if (!adapter || !ct) continue;
      // The account's own limit where its network has one per account (a Mastodon instance's).
      const text = textCapabilityOf(adapter, account);
      if (text && item.textVariant) {
        const count = text.count(item.textVariant);
        if (count > text.limit && !(item.asThread && ct.threads))
          problems[`channel_${item.accountId}_text`] = { code: CODES.textTooLong, values: { network: adapter.label, count, limit: text.limit } };
        else if (item.asThread && ct.threads && splitIntoParts(item.textVariant, text).length > MAX_PARTS)
          problems[`channel_${item.accountId}_text`] = { code: 'publication.thread_too_long', values: { network: adapter.label } };
      }
      if (article?.heroMediaId && !article.heroAlt.trim() && ct.takesImages)
        problems[`channel_${item.accountId}_enabled`] = { code: 'publication.image_without_alt', values: { network: adapter.label } };
    }
    return problems;
  }

  /** The parts that will be posted for this choice (the previews show the first). */
  async parts(articleId: number, accountId: number, variant: string | null, asThread: boolean): Promise<string[]> {
    const article = await this.loadArticle(articleId);
    const account = (await this.accounts.list()).find((a) => a.id === accountId);
    const adapter = account && this.adapters.get(account.channel);
    if (!article || !adapter) return [];
    const url = this.ports(article, { id: 0, channel: account.channel, accountId }).articleUrl();
    return postParts({
      variant,
      source: { title: article.title, summary: article.summary, url, hashtags: article.hashtags ?? [] },
      limit: textCapabilityOf(adapter, account),
      asThread: asThread && adapter.capabilities.threads,
    });
  }
}
