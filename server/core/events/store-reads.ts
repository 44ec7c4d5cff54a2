import type { Queries, Reads } from '../ports.js';

/** The item reads of a store outside any unit of work, as the `Reads` the rules take: for API reads. */
export const itemReads = (store: Pick<Queries, 'getItem' | 'listItems'>): Pick<Reads, 'item' | 'items'> => ({
  item: (service, kind, id) => store.getItem(service, kind, id),
  items: (service, kind, query) => store.listItems(service, kind, query ?? {}),
});
