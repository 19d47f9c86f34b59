/** The commune's own pages (la mairie, horaires, démarches…), in a tree. */
export const PAGE_STATUSES = ['draft', 'published'] as const;
export type PageStatus = (typeof PAGE_STATUSES)[number];

export const PAGE_STATUS_LABELS: Record<PageStatus, string> = {
  draft: 'Brouillon',
  published: 'En ligne',
};

export interface Page {
  id: number;
  parentId: number | null;
  slug: string;
  /** The full address, from the ancestors' slugs: "/mairie/horaires". */
  path: string;
  title: string;
  summary: string;
  bodyMd: string;
  status: PageStatus;
  /** Set on the pages the law asks for: they cannot be deleted nor taken offline. */
  legalKey: string | null;
  version: number;
  updatedBy: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What the page form sends, validated. */
export interface PageInput {
  title: string;
  /** As typed; empty means "from the title". */
  slug: string;
  parentId: number | null;
  summary: string;
  bodyMd: string;
  status: PageStatus;
}

export interface PageActor {
  id: number | null;
  label: string;
}

/** A page as the admin's tree shows it: with its depth, in tree order. */
export interface PageTreeRow extends Page {
  depth: number;
  childCount: number;
}

/** What residents may see of a page: online, and every page above it online too. */
export interface PublicPageRef {
  id: number;
  parentId: number | null;
  path: string;
  title: string;
  summary: string;
  updatedAt: Date;
}

/** The plan du site's tree of online pages. */
export interface PageNode extends PublicPageRef {
  children: PageNode[];
}
