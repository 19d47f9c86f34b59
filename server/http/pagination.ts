export interface Page {
  page: number;
  perPage: number;
  limit: number;
  offset: number;
}

export function pageFrom(query: unknown, perPage = 20): Page {
  const raw = (query as Record<string, unknown> | undefined)?.page;
  const n = typeof raw === 'string' ? Number.parseInt(raw, 10) : 1;
  const page = Number.isFinite(n) && n >= 1 && n <= 100_000 ? n : 1;
  return { page, perPage, limit: perPage, offset: (page - 1) * perPage };
}

export interface Pager {
  page: number;
  pages: number;
  total: number;
  prev: number | null;
  next: number | null;
}

export function pager(p: Page, total: number): Pager {
  const pages = Math.max(1, Math.ceil(total / p.perPage));
  return { page: p.page, pages, total, prev: p.page > 1 ? p.page - 1 : null, next: p.page < pages ? p.page + 1 : null };
}
