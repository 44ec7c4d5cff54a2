import type { Paging } from '../../types/schema.js';
import type { V1Context } from './context.js';

/**
 * The paging data of the lists of issue 9, in the shape every list answers (`users.json`'s). One
 * place, to be swapped for `server/paging.ts` when that lands.
 */
export function pagingOf(ctx: V1Context, total: number, page: number, pageSize: number): Paging {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const link = (p: number) => `${ctx.path}?${new URLSearchParams({ page: String(p), page_size: String(pageSize) })}`;
  return { total, page, pages, page_size: pageSize, next: page < pages ? link(page + 1) : null, prev: page > 1 ? link(Math.min(page - 1, pages)) : null };
}
