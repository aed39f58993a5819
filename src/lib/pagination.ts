/**
 * Page-number pagination in the DRF style: `{ count, next, previous, results }`, where next and
 * previous are app-relative links that keep every other query parameter. Page sizes above
 * MAX_PAGE_SIZE are treated as MAX_PAGE_SIZE (the contract says so) rather than refused.
 */
import type { QueryBuilder, Model } from 'objection';
import type { AppContext } from '../types.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageParams {
  page: number;
  pageSize: number;
  offset: number;
}

export function pageParams(query: { page?: number; page_size?: number }): PageParams {
  const page = Math.max(1, query.page ?? 1);
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, query.page_size ?? DEFAULT_PAGE_SIZE));
  return { page, pageSize, offset: (page - 1) * pageSize };
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

function link(ctx: AppContext, page: number): string {
  const params = new URLSearchParams(ctx.querystring);
  params.set('page', String(page));
  return `${ctx.path}?${params.toString()}`;
}

/** Wraps rows already fetched for one page into the page object. */
export function pageOf<T>(ctx: AppContext, p: PageParams, count: number, results: T[]): Page<T> {
  const last = Math.max(1, Math.ceil(count / p.pageSize));
  return {
    count,
    next: p.page < last ? link(ctx, p.page + 1) : null,
    previous: p.page > 1 ? link(ctx, Math.min(p.page - 1, last)) : null,
    results,
  };
}

/**
 * Runs `query` for one page (with a COUNT of the same query) and presents the rows.
 * `query` must already carry its ORDER BY, ending with a unique column for a stable order.
 */
export async function paginate<M extends Model, T>(
  ctx: AppContext,
  query: QueryBuilder<M, M[]>,
  params: { page?: number; page_size?: number },
  present: (rows: M[]) => T[] | Promise<T[]>,
): Promise<Page<T>> {
  const p = pageParams(params);
  const [count, rows] = await Promise.all([query.clone().resultSize(), query.clone().offset(p.offset).limit(p.pageSize)]);
  return pageOf(ctx, p, count, await present(rows as M[]));
}
