/* eslint-disable @typescript-eslint/no-explicit-any -- knex rows are untyped until mapped here */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { AuditRepository, Actor } from '../audit/audit.repository';
import type { Clock } from '../clock';
import { fromDbTime, fromDbTimeOrNull, toDbTime } from '../db/dialect';
import { DomainError, NotFoundError } from '../http/errors';
import type { ArticleRevisionsRepository } from './article-revisions.repository';
import type { Article, ArticleSnapshot, PeopleNames } from './articles.types';
import { snapshotOf } from './articles.rules';

export type PreviewAudience = 'team' | 'anyone';

export interface ArticlePreview {
  id: number;
  articleId: number;
  audience: PreviewAudience;
  createdBy: number | null;
  creatorName: string | null;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** A link past its seven days: 410, said in French. */
export class GoneError extends DomainError {
  constructor(message: string) {
    super(message, 410);
  }
}

export const PREVIEW_DAYS = 7;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const UNKNOWN = 'Ce lien d’aperçu n’existe pas ou a été révoqué. Demandez un nouveau lien à la personne qui vous l’a envoyé.';

const hash = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

function toPreview(r: Record<string, any>): ArticlePreview {
  return {
    id: r.id,
    articleId: r.article_id,
    audience: r.audience as PreviewAudience,
    createdBy: r.created_by ?? null,
    creatorName: r.creator_name ?? null,
    createdAt: fromDbTime(r.created_at),
    expiresAt: fromDbTime(r.expires_at),
    revokedAt: fromDbTimeOrNull(r.revoked_at),
  };
}

/**
 * Private preview links of an article: 32 random bytes, shown once to the officer who made the
 * link; only their SHA-256 is kept, so that the table (or a backup of it) opens nothing. Valid
 * seven days, revocable. Only this file touches article_previews.
 */
export class ArticlePreviews {
  constructor(
    private readonly d: {
      db: Knex;
      audit: AuditRepository;
      clock: Clock;
      revisions: ArticleRevisionsRepository;
      people: PeopleNames;
      getArticle: (id: number) => Promise<Article>;
    },
  ) {}

  /** Returns the token, which nobody can read again afterwards. */
  async create(articleId: number, audience: PreviewAudience, actor: Actor): Promise<{ token: string; expiresAt: Date }> {
    await this.d.getArticle(articleId);
    const token = crypto.randomBytes(32).toString('base64url');
    const now = this.d.clock.now();
    const expiresAt = new Date(now.getTime() + PREVIEW_DAYS * 24 * 3600_000);
    await this.d.db.transaction(async (trx) => {
      const [row] = await trx('article_previews')
        .insert({ article_id: articleId, token_hash: hash(token), audience, created_by: actor.id, created_at: toDbTime(now), expires_at: toDbTime(expiresAt) })
        .returning('id');
      const id = typeof row === 'object' ? (row as { id: number }).id : (row as number);
      await this.d.audit.append(
        {
          actor,
          action: 'article.preview_created',
          targetType: 'article',
          targetId: articleId,
          details: { preview: id, audience, expiresAt: expiresAt.toISOString() },
        },
        now,
        trx,
      );
    });
    return { token, expiresAt };
  }

  /** The links of an article still usable now, newest first. */
  async active(articleId: number): Promise<ArticlePreview[]> {
    const rows = await this.d
      .db('article_previews')
      .where('article_id', articleId)
      .whereNull('revoked_at')
      .where('expires_at', '>', toDbTime(this.d.clock.now()))
      .orderBy('id', 'desc');
    const names = await this.d.people.displayNames(rows.map((r: { created_by?: number | null }) => r.created_by ?? null));
    return rows.map((r: { created_by?: number | null }) => toPreview({ ...r, creator_name: r.created_by ? names.get(r.created_by) : null }));
  }

  async revoke(articleId: number, previewId: number, actor: Actor): Promise<void> {
    const now = this.d.clock.now();
    await this.d.db.transaction(async (trx) => {
      const n = await trx('article_previews')
        .where({ id: previewId, article_id: articleId })
        .whereNull('revoked_at')
        .update({ revoked_at: toDbTime(now) });
      if (n !== 1) throw new NotFoundError('Ce lien d’aperçu n’existe pas ou a déjà été révoqué.');
      await this.d.audit.append(
        { actor, action: 'article.preview_revoked', targetType: 'article', targetId: articleId, details: { preview: previewId } },
        now,
        trx,
      );
    });
  }

  /**
   * What a link shows: the pending proposal if there is one (a change to an online article), else
   * the article as saved. A malformed, unknown or revoked token is a 404, an expired one a 410.
   */
  async open(token: string): Promise<{ preview: ArticlePreview; article: Article; content: ArticleSnapshot; proposal: boolean }> {
    if (!TOKEN.test(token)) throw new NotFoundError(UNKNOWN);
    const row = await this.d
      .db('article_previews')
      .where({ token_hash: hash(token) })
      .first();
    if (!row || row.revoked_at) throw new NotFoundError(UNKNOWN);
    const preview = toPreview(row);
    if (preview.expiresAt <= this.d.clock.now())
      throw new GoneError('Ce lien d’aperçu a expiré : il était valable 7 jours. Demandez un nouveau lien à la personne qui vous l’a envoyé.');
    const article = await this.d.getArticle(preview.articleId);
    const pending = await this.d.revisions.pending(article.id);
    return { preview, article, content: pending ? pending.snapshot : snapshotOf(article), proposal: !!pending };
  }
}
