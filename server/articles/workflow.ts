import { can, type Permission, type Role } from '../auth/permissions';
import type { ArticleStatus } from './articles.types';

/**
 * The editorial workflow: draft → review → approved → published → archived, with the ways back.
 * Each edge names the permission it needs; `approvalGated` edges are closed to people when the
 * commune requires an approval before anything goes out.
 */
interface Edge {
  from: ArticleStatus;
  to: ArticleStatus;
  needs: readonly Permission[]; // any of them
  approvalGated?: boolean;
}

const EDGES: readonly Edge[] = [
  { from: 'draft', to: 'review', needs: ['articles.write'] },
  { from: 'draft', to: 'published', needs: ['articles.publish'], approvalGated: true },
  { from: 'draft', to: 'archived', needs: ['articles.publish'] },
  { from: 'review', to: 'approved', needs: ['articles.approve'] },
  { from: 'review', to: 'published', needs: ['articles.publish'], approvalGated: true },
  { from: 'review', to: 'draft', needs: ['articles.write', 'articles.approve'] },
  { from: 'approved', to: 'published', needs: ['articles.publish'] },
  { from: 'approved', to: 'draft', needs: ['articles.write', 'articles.approve'] },
  { from: 'published', to: 'archived', needs: ['articles.publish'] },
  // No person takes this edge directly: "Déprogrammer" (articles.schedule.ts) takes it for an
  // article not yet out, as the system, after checking so.
  { from: 'published', to: 'draft', needs: [] },
  { from: 'archived', to: 'draft', needs: ['articles.write'] },
];

export type TransitionCheck = { ok: true } | { ok: false; reason: 'unknown' | 'forbidden' | 'needs_approval' };

/** `role` null or undefined: the system itself, held to the graph only. */
export function checkTransition(from: ArticleStatus, to: ArticleStatus, role: Role | null | undefined, requireApproval: boolean): TransitionCheck {
  const edge = EDGES.find((e) => e.from === from && e.to === to);
  if (!edge) return { ok: false, reason: 'unknown' };
  if (!role) return { ok: true };
  if (!edge.needs.some((p) => can(role, p))) return { ok: false, reason: 'forbidden' };
  if (edge.approvalGated && requireApproval) return { ok: false, reason: 'needs_approval' };
  return { ok: true };
}

/** The buttons to show on an article's page, in a sensible reading order. */
export function allowedTransitions(from: ArticleStatus, role: Role | null | undefined, requireApproval: boolean): ArticleStatus[] {
  return EDGES.filter((e) => e.from === from && checkTransition(from, e.to, role, requireApproval).ok).map((e) => e.to);
}

export const STATUS_LABELS: Record<ArticleStatus, string> = {
  draft: 'Brouillon',
  review: 'En relecture',
  approved: 'Approuvé',
  published: 'Publié',
  archived: 'Archivé',
};

/** The label of the button that moves an article from `from` to `to`. */
export function transitionLabel(from: ArticleStatus, to: ArticleStatus): string {
  switch (to) {
    case 'review':
      return 'Soumettre à la relecture';
    case 'approved':
      return 'Approuver';
    case 'published':
      return 'Publier';
    case 'archived':
      return 'Archiver';
    case 'draft':
      return from === 'archived' ? 'Restaurer en brouillon' : 'Renvoyer en brouillon';
  }
}
