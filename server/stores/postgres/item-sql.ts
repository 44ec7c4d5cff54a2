import type { Item } from '../../core/model.js';
import type { ItemCount, ItemQuery } from '../../core/ports.js';

/** Items to and from rows, and the SQL of an item query: the same for units and queries. */

export const ITEM_COLUMNS = 'kind, id, owner, subject, at, v';

export interface ItemRow {
  kind: string;
  id: string;
  owner: string | null;
  subject: string | null;
  at: string;
  v: unknown;
}

export const itemRecord = (row: ItemRow): Item => ({ kind: row.kind, id: row.id, owner: row.owner, subject: row.subject, at: row.at, v: row.v });

/**
 * Every item of a service whose subject is one of `subjects`, in (kind, at, id) order: one range
 * of the items_by_subject index per subject.
 */
export const subjectItemsQuery = (service: string, subjects: readonly string[]) => ({
  text: `SELECT ${ITEM_COLUMNS} FROM items WHERE service = $1 AND subject = ANY($2::text[]) ORDER BY kind, at, id`,
  values: [service, [...new Set(subjects)]],
});

/**
 * `SELECT ... FROM items` for a query of one service's kind, in core/items.ts's order: (at, id),
 * both COLLATE "C" (the columns' collation), which the indexes items_in_order and items_by_owner
 * serve.
 */
export function itemsQuery(service: string, kind: string, query: ItemQuery & { offset?: number }, owners?: readonly string[]): { text: string; values: unknown[] } {
  const { where, values, param } = itemsWhere(service, kind, query);
  // Many owners' items at once: one scan of items_by_owner per owner, in one round trip.
  if (owners) where.push(`owner = ANY(${param(owners)}::text[])`);
  const direction = query.order === 'desc' ? 'DESC' : 'ASC';
  if (query.after) where.push(`(at, id) ${direction === 'DESC' ? '<' : '>'} (${param(query.after.at)}, ${param(query.after.id)})`);
  let text = `SELECT ${ITEM_COLUMNS} FROM items WHERE ${where.join(' AND ')} ORDER BY at ${direction}, id ${direction}`;
  if (query.limit !== undefined) text += ` LIMIT ${param(query.limit)}`;
  if (query.offset) text += ` OFFSET ${param(query.offset)}`;
  return { text, values };
}

export function itemsCount(service: string, kind: string, query: ItemCount): { text: string; values: unknown[] } {
  const { where, values } = itemsWhere(service, kind, query);
  return { text: `SELECT count(*)::int AS count FROM items WHERE ${where.join(' AND ')}`, values };
}

function itemsWhere(service: string, kind: string, query: ItemCount & Pick<ItemQuery, 'subject'>) {
  const values: unknown[] = [service, kind];
  const where = ['service = $1', 'kind = $2'];
  const param = (value: unknown) => `$${values.push(value)}`;
  if (query.owner !== undefined) where.push(`owner = ${param(query.owner)}`);
  if (query.subject !== undefined) where.push(`subject = ${param(query.subject)}`);
  if (query.from !== undefined) where.push(`at >= ${param(query.from)}`);
  if (query.to !== undefined) where.push(`at < ${param(query.to)}`);
  return { where, values, param };
}
