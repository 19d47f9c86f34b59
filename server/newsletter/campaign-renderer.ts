import path from 'node:path';
import { frenchSpacing, frenchSpacingHtml } from '../i18n/typography';
import ejs from 'ejs';
import mjml2html from 'mjml';
import { articleUrl } from '../articles/article-url';
import type { Article, Category } from '../articles/articles.types';
import type { MediaItem } from '../media/media.types';
import type { CommuneSettings } from '../settings/settings.defaults';
import { contrastRatio, isHexColor } from '../settings/contrast';
import { DEFAULT_SETTINGS } from '../settings/settings.defaults';
import { VIEWS_DIR } from '../http/render';
import type { CampaignKind, CampaignsRepository } from './campaigns.repository';
import { assembleSet, bake, compact, escapeHtml, splitBlocks, toPiece, trackingToken, type PieceSet } from './campaign-template';
import { campaignText, withoutAlertPrefix, type TextBlock } from './campaign-text';

/** A subscriber as the campaign sees them (the subscribers domain answers these). */
export interface Recipient {
  id: number;
  email: string;
  /** Category ids. */
  topics: number[];
  alertsOnly: boolean;
  /** Opted in to per-person open and click measurement. */
  tracking: boolean;
}

export interface PreparedCampaign {
  campaignId: number;
  number: number | null;
  kind: 'digest' | 'alert' | 'manual';
  subject: string;
  /** Articles this recipient gets; 0 → send nothing. */
  articlesFor(r: Recipient): number;
  /** Which articles (ids) this recipient's copy holds. */
  articleIdsFor(r: Recipient): number[];
  personalise(r: Recipient, links: { manageUrl: string; unsubscribeUrl: string }): { html: string; text: string };
}

/** What the web version and the admin preview add to a prepared campaign. */
export interface RenderedCampaign extends PreparedCampaign {
  /** Every block, no personal link, no pixel, links straight to the articles. */
  web(): { html: string; text: string };
  /** The addresses the campaign's click redirect may lead to, by link id. */
  links: { id: number; url: string }[];
  articleIds: number[];
}

/** One article as a block of the e-mail. */
export interface ArticleBlock {
  articleId: number;
  title: string;
  summary: string;
  category: string | null;
  categoryId: number | null;
  url: string;
  image: { url: string; alt: string } | null;
}

/** What a campaign is made of, before rendering: from the database, or built in memory (CLI preview). */
export interface CampaignDraft {
  campaignId: number;
  number: number | null;
  kind: CampaignKind;
  subject: string;
  intro: string;
  blocks: ArticleBlock[];
  /** Link ids in block order (the click redirect's table); absent: numbered 1… in memory. */
  linkIds?: number[];
}

export interface RendererDeps {
  baseUrl: string;
  /** Signs per-person tracking tokens (derived from SECRET_KEY). */
  trackingSecret: string;
  repo: CampaignsRepository;
  articles: { get(id: number): Promise<Article | null>; listCategories(): Promise<Category[]> };
  media: { findById(id: number): Promise<MediaItem | null> };
  settings: { get(): Promise<CommuneSettings> };
}

const TEMPLATE = path.join(VIEWS_DIR, 'email', 'campaign.mjml.ejs');
const EMAIL_WIDTH = 600;

/** The JPEG best suited to a 600 px e-mail: the smallest at least as wide, else the widest. */
export function emailImageUrl(item: MediaItem | null, baseUrl: string): string | null {
  if (!item) return null;
  const jpegs = item.variants.filter((v) => v.format === 'jpeg' && v.kind === 'responsive').sort((a, b) => a.width - b.width);
  const pick = jpegs.find((v) => v.width >= EMAIL_WIDTH) ?? jpegs[jpegs.length - 1];
  const url = pick?.url ?? item.previewUrl;
  if (!url) return null;
  return /^https?:\/\//.test(url) ? url : `${baseUrl}${url}`;
}

/**
 * Builds a campaign's e-mail: the MJML is compiled once (`compilations` counts them), cut into
 * a head, one piece per article and a tail; each copy then picks the pieces of the recipient's
 * topics and fills the tokens, which is string work only.
 */
export class CampaignRenderer {
  /** MJML compilations so far (the benchmark reports one per campaign). */
  compilations = 0;

  constructor(private readonly d: RendererDeps) {}

  /**
   * The campaign as stored, ready to personalise (what the sender calls when a campaign starts).
   * A campaign on its way out gets its public number here if it has none, so that every copy
   * links to its web version.
   */
  async prepare(campaignId: number): Promise<RenderedCampaign> {
    const campaign = await this.d.repo.get(campaignId);
    // Once started, a campaign without recipients stays without a number (markStarted took it back).
    if (campaign && campaign.number === null) {
      if (campaign.status === 'scheduled' || (campaign.status === 'started' && (await this.d.repo.recipientCount(campaignId)) > 0))
        await this.d.repo.assignNumber(campaignId);
    }
    return this.render(await this.draft(campaignId, { saveLinks: true }));
  }

  /**
   * The same for people to look at: the admin preview, a test send (`saveLinks`: its clicks must
   * lead somewhere) and the web version. No public number is given, and a page that is only
   * read writes nothing: links not stored yet get provisional numbers.
   */
  async preview(campaignId: number, opts: { saveLinks?: boolean } = {}): Promise<RenderedCampaign> {
    return this.render(await this.draft(campaignId, opts));
  }

  /** Reads a stored campaign into blocks (articles gone since are left out). */
  async draft(campaignId: number, opts: { saveLinks?: boolean } = {}): Promise<CampaignDraft> {
    const campaign = await this.d.repo.get(campaignId);
    if (!campaign) throw new Error(`campaign ${campaignId} not found`);
    const blocks = await this.blocks((await this.d.repo.articles(campaignId)).map((a) => a.articleId));
    const urls = blocks.map((b) => b.url);
    // Links are stored with the campaign: the click redirect goes to these addresses and no other.
    let linkIds: number[];
    if (opts.saveLinks)
      linkIds = (
        await this.d.repo.saveLinks(
          campaignId,
          urls,
          blocks.map((b) => b.articleId),
        )
      ).map((l) => l.id);
    else {
      const stored = await this.d.repo.links(campaignId);
      const idOf = new Map(stored.map((l) => [l.url, l.id]));
      let next = stored.reduce((m, l) => Math.max(m, l.id), 0);
      linkIds = urls.map((u) => {
        let id = idOf.get(u);
        if (id === undefined) idOf.set(u, (id = ++next));
        return id;
      });
    }
    return { campaignId, number: campaign.number, kind: campaign.kind, subject: campaign.subject, intro: campaign.intro, blocks, linkIds };
  }

  /** Articles as e-mail blocks, in the given order. */
  async blocks(articleIds: number[]): Promise<ArticleBlock[]> {
    const categories = new Map((await this.d.articles.listCategories()).map((c) => [c.id, c.name]));
    const out: ArticleBlock[] = [];
    for (const id of articleIds) {
      const a = await this.d.articles.get(id);
      if (!a) continue;
      const media = a.heroMediaId ? await this.d.media.findById(a.heroMediaId) : null;
      const imageUrl = emailImageUrl(media, this.d.baseUrl);
      out.push({
        articleId: a.id,
        title: a.title,
        summary: a.summary,
        category: a.categoryId ? (categories.get(a.categoryId) ?? null) : null,
        categoryId: a.categoryId,
        url: articleUrl(this.d.baseUrl, a.slug, 'newsletter'),
        image: imageUrl ? { url: imageUrl, alt: a.heroAlt || media?.alt || '' } : null,
      });
    }
    return out;
  }

  /** Compiles the draft's MJML (once) and prepares its pieces. */
  async render(draft: CampaignDraft): Promise<RenderedCampaign> {
    const commune = await this.d.settings.get();
    const base = this.d.baseUrl;
    const linkIds = draft.linkIds ?? draft.blocks.map((_, i) => i + 1);
    const mjml = await ejs.renderFile(TEMPLATE, await this.layoutLocals(draft, commune, linkIds), { async: false });
    // Strict: an MJML mistake is an error, never a silently broken e-mail.
    const compiled = await mjml2html(mjml, { validationLevel: 'strict', keepComments: true });
    this.compilations++;
    // French spacing on the text of the compiled e-mail only (tags, styles and links stay as they are).
    const { head, blocks, tail } = splitBlocks(frenchSpacingHtml(compact(compiled.html)), draft.blocks.length);

    const redirect = (n: string) => `${base}/l/${draft.campaignId}/${n}%%T%%`;
    const direct = new Map(linkIds.map((id, i) => [String(id), draft.blocks[i]?.url ?? base]));
    const forEmail = (s: string) => toPiece(s.replace(/%%LINK:(\d+)%%/g, (_, n: string) => redirect(n)));
    const forWeb = (s: string) => toPiece(s.replace(/%%LINK:(\d+)%%/g, (_, n: string) => escapeHtml(direct.get(n) ?? base)));
    const email = { head: forEmail(head), blocks: blocks.map(forEmail), tail: forEmail(tail) };
    const web = { head: forWeb(head), blocks: blocks.map(forWeb), tail: forWeb(tail) };

    const textBlocks: TextBlock[] = draft.blocks.map((b, i) => ({
      title: frenchSpacing(b.title),
      summary: frenchSpacing(b.summary),
      category: b.category,
      linkId: linkIds[i] as number,
      url: b.url,
    }));
    const text = campaignText({
      commune,
      kind: draft.kind,
      subject: frenchSpacing(draft.subject),
      intro: frenchSpacing(draft.intro),
      number: draft.number,
      baseUrl: base,
      blocks: textBlocks,
      campaignId: draft.campaignId,
    });

    const webUrl = draft.number !== null ? `${base}/lettres/${draft.number}` : `${base}/lettres`;
    const webLink = `<div style="text-align:center;font-family:Arial,Helvetica,sans-serif;font-size:14px;padding:8px;"><a href="${escapeHtml(webUrl)}" style="color:#1a1a1a;">Voir dans le navigateur</a></div>`;
    const pixel = (t: string) => `<img src="${pixelBase}${t}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px;">`;
    const pixelBase = `${base}/o/${draft.campaignId}.gif`;
    const secret = this.d.trackingSecret;
    const alert = draft.kind === 'alert';
    const topicOf = draft.blocks.map((b) => b.categoryId);
    const selected = (r: Recipient): number[] => {
      const out: number[] = [];
      if (!alert && r.alertsOnly) return out;
      for (let i = 0; i < topicOf.length; i++) {
        const topic = topicOf[i];
        // An article without a category is news for everyone.
        if (alert || topic === null || topic === undefined || r.topics.includes(topic)) out.push(i);
      }
      return out;
    };
    const all = draft.blocks.map((_, i) => i);
    // What is the same for every copy is filled now; a copy for someone without per-person
    // measurement (most people) then only adds their two links to whole strings.
    const bakeSet = (set: PieceSet, values: Record<string, string>): PieceSet => ({
      head: bake(set.head, values),
      blocks: set.blocks.map((b) => bake(b, values)),
      tail: bake(set.tail, values),
    });
    const trackedHtml = bakeSet(email, { WEBLINK: webLink });
    const plainHtml = bakeSet(email, { WEBLINK: webLink, T: '', PIXEL: pixel('') });
    const trackedText = bakeSet(text.email, { WEB: webUrl });
    const plainText = bakeSet(text.email, { WEB: webUrl, T: '' });
    const webHtml = bakeSet(web, { WEBLINK: '', T: '', PIXEL: '' });
    const webText = bakeSet(text.web, { WEB: webUrl, T: '' });

    return {
      campaignId: draft.campaignId,
      number: draft.number,
      kind: draft.kind,
      subject: draft.subject,
      links: linkIds.map((id, i) => ({ id, url: draft.blocks[i]?.url ?? base })),
      articleIds: draft.blocks.map((b) => b.articleId),
      articlesFor: (r) => selected(r).length,
      articleIdsFor: (r) => selected(r).flatMap((i) => draft.blocks[i]?.articleId ?? []),
      personalise: (r, links) => {
        const chosen = selected(r);
        const footer = `Vous recevez cette lettre parce que vous y êtes abonné. <a href="${escapeHtml(links.manageUrl)}">Gérer mon abonnement</a> · <a href="${escapeHtml(links.unsubscribeUrl)}">Me désabonner</a>`;
        const textValues = { MANAGE: links.manageUrl, UNSUBSCRIBE: links.unsubscribeUrl };
        if (!r.tracking) return { html: assembleSet(plainHtml, chosen, { FOOTER: footer }), text: assembleSet(plainText, chosen, textValues) };
        const t = `?t=${trackingToken(secret, draft.campaignId, r.id)}`;
        return {
          html: assembleSet(trackedHtml, chosen, { T: t, FOOTER: footer, PIXEL: pixel(t) }),
          text: assembleSet(trackedText, chosen, { ...textValues, T: t }),
        };
      },
      web: () => {
        const neutral = `Pour recevoir cette lettre par e-mail, <a href="${escapeHtml(base)}/lettre">abonnez-vous</a>.`;
        return {
          html: assembleSet(webHtml, all, { FOOTER: neutral }),
          text: assembleSet(webText, all, { MANAGE: `${base}/lettre` }),
        };
      },
    };
  }

  private async layoutLocals(draft: CampaignDraft, commune: CommuneSettings, linkIds: number[]) {
    const logoItem = commune.logoMediaId ? await this.d.media.findById(commune.logoMediaId) : null;
    const logoUrl = emailImageUrl(logoItem, this.d.baseUrl);
    const d = DEFAULT_SETTINGS.colors;
    const primary = isHexColor(commune.colors.primary) ? commune.colors.primary : d.primary;
    const onPrimary = isHexColor(commune.colors.onPrimary) ? commune.colors.onPrimary : d.onPrimary;
    // Links are drawn on white: the commune's colour when it is readable there, else near-black.
    const link = contrastRatio(primary, '#ffffff') >= 4.5 ? primary : '#1a1a1a';
    const alert = draft.kind === 'alert';
    return {
      subject: draft.subject,
      commune,
      colors: { primary, onPrimary, link },
      logo: logoUrl ? { url: logoUrl, alt: `Logo de ${commune.name}` } : null,
      kicker: alert ? 'Alerte' : draft.number !== null ? `Lettre d’information n° ${draft.number}` : 'Lettre d’information',
      heading: alert ? withoutAlertPrefix(draft.subject) : commune.name,
      introParagraphs: draft.intro
        .split(/\n\s*\n/)
        .map((p) => p.trim())
        .filter(Boolean),
      articles: draft.blocks.map((b, i) => ({ ...b, link: linkIds[i] })),
    };
  }
}
