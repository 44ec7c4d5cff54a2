import type { Item } from './model.js';
import { compareCodePoints } from './order.js';
import type { ItemQuery } from './ports.js';

/**
 * What an item query means, written once: every store answers `items()` as `selectItems` over all
 * of a kind would (the embedded store and the overlay by calling it, PostgreSQL with the same order
 * in SQL: `at` then `id`, both under COLLATE "C").
 */

/** A kind: lowercase letters, digits and "-". Kinds name files of the embedded store. */
export const ITEM_KIND = /^[a-z][a-z0-9-]{0,31}$/;

/** (at, id) order; `at` is ASCII, so its code units are its code points. */
export function compareItems(a: Pick<Item, 'at' | 'id'>, b: Pick<Item, 'at' | 'id'>): number {
  return a.at < b.at ? -1 : a.at > b.at ? 1 : compareCodePoints(a.id, b.id);
}

export function itemMatches(item: Pick<Item, 'at' | 'id' | 'owner' | 'subject'>, query: ItemQuery): boolean {
  return (
    (query.owner === undefined || item.owner === query.owner) &&
    (query.subject === undefined || item.subject === query.subject) &&
    (query.from === undefined || item.at >= query.from) &&
    (query.to === undefined || item.at < query.to) &&
    (query.after === undefined || compareItems(item, query.after) * (query.order === 'desc' ? -1 : 1) > 0)
  );
}

/** The items `query` selects from `items` (any order), in its order and up to its limit. */
export function selectItems(items: Iterable<Item>, query: ItemQuery = {}): Item[] {
  const selected = [...items].filter((item) => itemMatches(item, query)).sort(compareItems);
  if (query.order === 'desc') selected.reverse();
  return query.limit === undefined ? selected : selected.slice(0, query.limit);
}

/** Refuses an item no store could keep: a bad kind, or an `at` that is not an ISO-8601 UTC time. */
export function checkItem(item: Item): void {
  if (!ITEM_KIND.test(item.kind)) throw new Error(`Item kind ${JSON.stringify(item.kind)} is not lowercase letters, digits and "-"`);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(item.at)) throw new Error(`Item ${item.kind}/${item.id} has no ISO-8601 UTC time: ${item.at}`);
  if (item.id.length === 0) throw new Error(`An item of kind ${item.kind} has an empty id`);
}

/** (kind, at, id) order: how a person's items of every kind are listed. */
export function compareKindThenItem(a: Pick<Item, 'kind' | 'at' | 'id'>, b: Pick<Item, 'kind' | 'at' | 'id'>): number {
  return a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : compareItems(a, b);
}
