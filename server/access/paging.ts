import { LIMITS } from '../../types/api.js';
import type { Paging } from '../../types/schema.js';

/**
 * The one paging shape (users.json's), for the lists of this feature. Kept in one place so that it
 * can give way to the shared server/paging.ts when that lands.
 */
export function pageOf(path: string, query: Record<string, string | undefined>, total: number, page = 1, pageSize: number = LIMITS.pageSizeDefault) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const kept = Object.fromEntries(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const link = (p: number) => `${path}?${new URLSearchParams({ ...kept, page: String(p), page_size: String(pageSize) })}`;
  const paging: Paging = {
    total,
    page,
    pages,
    page_size: pageSize,
    next: page < pages ? link(page + 1) : null,
    prev: page > 1 ? link(Math.min(page - 1, pages)) : null,
  };
  return { paging, offset: (page - 1) * pageSize, limit: pageSize };
}
