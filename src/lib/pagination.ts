/**
 * Page-number pagination in the DRF style: `{ count, next, previous, results }`, where next and
 * previous are app-relative links that keep every other query parameter. Page sizes above
 * MAX_PAGE_SIZE are treated as MAX_PAGE_SIZE (the contract says so) rather than refused.
 */
import type { Knex } from 'knex';
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

/** The column the page query adds for the total; removed from the rows before they are presented. */
const TOTAL_COLUMN = 'pagination_total__';

/**
 * One page of `query` with the size of the whole query in the same statement, saving the separate
 * COUNT round trip every listing used to make: the COUNT that objection's `resultSize` runs, as an
 * uncorrelated scalar subquery, which both engines evaluate once. (A window `count(*) over ()` would
 * also count, but it makes the engine build every matching row before ORDER BY … LIMIT: 11 ms
 * instead of 0.4 ms for a page of 20 among 20,000 notifications on SQLite.)
 * The total is undefined when the page is empty: no row carries it.
 */
async function pageWithTotal<M extends Model>(query: QueryBuilder<M, M[]>, p: PageParams): Promise<{ rows: M[]; total?: number }> {
  const whole = query.clone().clear(/orderBy|offset|limit/);
  const total = query.knex().count('*').from(whole.toKnexQuery<Knex.QueryBuilder>().as('paginated')).as(TOTAL_COLUMN);
  const page = query.clone();
  // Without a select of its own, objection selects `table.*`; adding the total would replace that.
  if (!page.hasSelects()) page.select(`${page.tableRefFor(page.modelClass())}.*`);
  const rows = (await page.select(total).offset(p.offset).limit(p.pageSize)) as M[];
  if (rows.length === 0) return { rows };
  const count = Number((rows[0] as unknown as Record<string, unknown>)[TOTAL_COLUMN]);
  for (const row of rows) delete (row as unknown as Record<string, unknown>)[TOTAL_COLUMN];
  return { rows, total: count };
}

/**
 * Runs `query` for one page and presents the rows, with the count of the whole query (from the
 * page query itself; for a page past the end, from a separate COUNT). `query` must already carry
 * its ORDER BY, ending with a unique column for a stable order.
 */
export async function paginate<M extends Model, T>(
  ctx: AppContext,
  query: QueryBuilder<M, M[]>,
  params: { page?: number; page_size?: number },
  present: (rows: M[]) => T[] | Promise<T[]>,
): Promise<Page<T>> {
  const p = pageParams(params);
  const { rows, total } = await pageWithTotal(query, p);
  // An empty first page means an empty result; an empty later page may lie past the end of one.
  const count = total ?? (p.page > 1 ? await query.clone().resultSize() : 0);
  return pageOf(ctx, p, count, await present(rows));
}
