import { conflict, invalid } from '../errors.js';
import type { BadgeRecord, Item, ServiceRecord, UserRecord } from '../model.js';
import type { Tx } from '../ports.js';
import { checkServiceName, requireService } from './services.js';

/**
 * Restoring exported records as they were (counts, dates, order): how a service moves between
 * stores. A restore adds to a hidden service it created itself, never to one in use; the store's
 * `renameService` then makes it the service it was.
 */

/**
 * Writes the service `record` under the hidden name `under` (see services.ts), where its records are
 * restored before it is renamed to its own name whole. Its own name must be free.
 */
export async function restoreService(tx: Tx, record: ServiceRecord, under: string): Promise<void> {
  checkServiceName(record.name);
  const clash = await tx.serviceIgnoringCase(record.name);
  if (clash) throw conflict('service_exists', `Service "${clash.name}" exists already; import into a store without it`);
  if (await tx.service(under)) throw conflict('service_exists', `Service "${under}" exists: another import of "${record.name}" is under way`);
  tx.put({ t: 'service', v: { ...record, name: under } });
}

export async function restoreBadges(tx: Tx, service: string, badges: readonly BadgeRecord[]): Promise<void> {
  await requireService(tx, service);
  for (const badge of badges) tx.put({ t: 'badge', s: service, v: badge });
}

export async function restoreUsers(tx: Tx, service: string, users: readonly UserRecord[]): Promise<void> {
  await requireService(tx, service);
  const named = new Set(users.flatMap((u) => u.awards.map((a) => a.badge)));
  const known = await tx.badges(service, [...named]);
  const unknown = [...named].filter((name) => !known.has(name));
  if (unknown.length > 0) throw invalid('unknown_badge', `Users of "${service}" hold badges the export does not list: ${unknown.slice(0, 5).join(', ')}`);
  for (const user of users) {
    if (await tx.user(service, user.name)) throw conflict('user_exists', `User "${user.name}" of "${service}" is listed twice`);
    tx.put({ t: 'user', s: service, v: user });
  }
}

export async function restoreItems(tx: Tx, service: string, items: readonly Item[]): Promise<void> {
  await requireService(tx, service);
  for (const item of items) {
    if (await tx.item(service, item.kind, item.id)) throw conflict('item_exists', `Item ${item.kind} "${item.id}" of "${service}" is listed twice`);
    tx.put({ t: 'item', s: service, v: item });
  }
}
