import type { Knex } from 'knex';
import type { Actor } from '../audit/audit.repository';
import type { Role } from '../auth/permissions';

export const STATUSES = ['draft', 'review', 'approved', 'published', 'archived'] as const;
export type ArticleStatus = (typeof STATUSES)[number];

export function isStatus(v: unknown): v is ArticleStatus {
  return typeof v === 'string' && (STATUSES as readonly string[]).includes(v);
}

/** What an editor writes, as it is stored (the form, versions and restores deal in these fields). */
export interface ArticleContent {
  slug: string;
  title: string;
  summary: string;
  categoryId: number | null;
  heroMediaId: number | null;
  heroAlt: string;
  eventStart: Date | null;
  eventEnd: Date | null;
  eventPlace: string | null;
  urgent: boolean;
}

/**
 * What every reader of an article is shown, the team (Article) as residents (PublicArticle): one
 * list of fields, read from the articles row by one mapper (article-row.ts).
 */
export interface ArticleShown extends ArticleContent {
  id: number;
  bodyHtml: string; // sanitized rendering of bodyMd, safe to output as is
  updatedAt: Date;
}

/** An article as the rest of Crieur sees it (the demo loader, the publishing engine, the site). */
export interface Article extends ArticleShown {
  bodyMd: string;
  status: ArticleStatus;
  /** When it goes (or went) out; a published article whose publishAt is in the future is scheduled. */
  publishAt: Date | null;
  /** "Programmer" was asked by someone who needs an approval: the approval schedules it at publishAt. */
  scheduleRequested: boolean;
  authorId: number | null;
  approvedBy: number | null;
  approvedAt: Date | null;
  version: number; // content version: optimistic locking and history
  createdAt: Date;
}

export interface ArticleListItem extends Article {
  authorName: string | null;
  categoryName: string | null;
  /** A change proposed to this online article waits for approval. */
  hasProposal: boolean;
}

/** The editable content. On update, a field left undefined keeps its current value. */
export interface ArticleInput {
  title: string;
  slug?: string; // empty or absent: generated from the title
  summary?: string;
  bodyMd?: string;
  categoryId?: number | null;
  heroMediaId?: number | null;
  heroAlt?: string;
  eventStart?: Date | null;
  eventEnd?: Date | null;
  eventPlace?: string | null;
  urgent?: boolean;
  publishAt?: Date | null;
}

/** The content fields a version snapshot keeps (JSON in article_versions.snapshot). */
export interface ArticleSnapshot {
  title: string;
  slug: string;
  summary: string;
  bodyMd: string;
  categoryId: number | null;
  heroMediaId: number | null;
  heroAlt: string;
  eventStart: string | null; // ISO UTC
  eventEnd: string | null;
  eventPlace: string | null;
  urgent: boolean;
  publishAt: string | null;
}

export interface ArticleVersion {
  version: number;
  authorId: number | null;
  authorName: string | null;
  createdAt: Date;
  snapshot: ArticleSnapshot;
}

export interface Category {
  id: number;
  slug: string;
  name: string;
}

export interface ArticleFilters {
  q?: string;
  /** A status, or 'scheduled' (published with a publication date still to come). */
  status?: ArticleStatus | 'scheduled' | 'proposed';
  categoryId?: number;
  /** 'date': by the date that matters for the status (publication, else last change), newest first. */
  sort?: 'date' | 'updated';
  authorId?: number;
  limit: number;
  offset: number;
}

/**
 * Who acts. A person has a role and is held to the permission matrix and the approval rule; an
 * actor without a role is the system itself (demo loader, jobs) and is trusted.
 */
export type ArticleActor = Actor & { role?: Role | null };

/** What happened to an article, and who did it (listeners audit their own work in that name). */
export type ArticleEvent =
  | { type: 'created' | 'deleted'; article: Article }
  | { type: 'updated'; article: Article; before: Article; actor: Actor }
  | { type: 'status_changed'; article: Article; from: ArticleStatus; to: ArticleStatus; actor: Actor };

/**
 * Who people are, asked of the accounts domain (auth owns the users table): the names shown next
 * to an article, a version, a proposal or a preview link. `trx` when asked inside a transaction.
 */
export interface PeopleNames {
  displayNames(ids: readonly (number | null)[], trx?: Knex): Promise<Map<number, string>>;
  /** Editors and administrators, and whoever wrote one of `authorIds`, by name. */
  possibleAuthors(authorIds: number[]): Promise<{ id: number; name: string }[]>;
}
