import type { MediaItem } from '../media/media.types';
import type { ChannelRow } from './publishing.service';
import type { ChannelText } from './post-composer';
import type { PublishableArticle } from './channels/channel-adapter';

/** One network's post as the channels page previews it (server-rendered; post-editor.js keeps it live). */
export interface PostPreview {
  accountId: number;
  channel: string;
  network: string;
  accountName: string;
  /** Crieur's copy of the account's picture, or null: the initial is shown. */
  avatarUrl: string | null;
  /** Shown only when the channel is ticked; the script shows it as soon as it is. */
  enabled: boolean;
  text: string;
  thread: boolean;
  /** The picture goes with the post; otherwise the network draws a link card. */
  image: { url: string; alt: string } | null;
  card: { title: string; summary: string; host: string };
}

/** A text as pieces, addresses apart, so that a template shows them as links without raw HTML. */
export function linkPieces(text: string): { text: string; url: boolean }[] {
  return text
    .split(/(https?:\/\/[^\s<>"]+)/)
    .filter((s) => s !== '')
    .map((s) => ({ text: s, url: /^https?:\/\//.test(s) }));
}

/** The social card (1200×630 JPEG) of the article's picture, if it is ready. */
export function cardImage(item: MediaItem | null): string | null {
  if (!item || item.status !== 'ready') return null;
  return item.variants.find((v) => v.kind === 'social' && v.format === 'jpeg')?.url ?? item.previewUrl;
}

export function buildPreviews(opts: {
  article: PublishableArticle;
  channels: ChannelRow[];
  texts: Map<number, ChannelText>;
  cardUrl: string | null;
  articleUrl(channel: string): string;
  /** Texts typed in a refused form, by account id. */
  typed: Map<number, { text: string; thread: boolean; enabled: boolean }>;
  /** The account's picture as Crieur serves it, if it has one. */
  avatarFor?(accountId: number): string | null;
}): PostPreview[] {
  const out: PostPreview[] = [];
  const host = new URL(opts.articleUrl('site')).host;
  for (const ch of opts.channels) {
    const ct = opts.texts.get(ch.account.id);
    if (!ct || ct.limit === null || !ch.reachable) continue;
    const p = ch.publication;
    const typed = opts.typed.get(ch.account.id);
    const asThread = typed ? typed.thread : !!p?.asThread;
    const variant = typed ? typed.text : (p?.textVariant ?? null);
    const thread = asThread && ct.threads;
    out.push({
      accountId: ch.account.id,
      channel: ch.account.channel,
      network: ct.network,
      accountName: ch.account.label,
      avatarUrl: opts.avatarFor?.(ch.account.id) ?? null,
      enabled: typed ? typed.enabled : !!p && p.status !== 'cancelled',
      // The whole text, as the officer sees it in the field; a thread says it will be cut.
      text: variant ?? (thread ? ct.defaultThread : ct.defaultSingle),
      thread,
      image: ct.takesImages && opts.cardUrl && opts.article.heroAlt.trim() ? { url: opts.cardUrl, alt: opts.article.heroAlt.trim() } : null,
      card: { title: opts.article.title, summary: opts.article.summary, host },
    });
  }
  return out;
}
