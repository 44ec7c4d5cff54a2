import { conflict, invalid } from '../errors.js';
import type { BadgeRecord, Item, ServiceRecord, UserRecord } from '../model.js';
import type { Tx } from '../ports.js';
import { checkServiceName, requireService } from './services.js';

/**
 * Restoring exported records as they were (counts, dates, order): how a service moves between
 * stores. A restore adds to a service it created itself, never to one in use.
 */

export async function restoreService(tx: Tx, record: ServiceRecord): Promise<void> {
  checkServiceName(record.name);
  const clash = await tx.serviceIgnoringCase(record.name);
  if (clash) throw conflict('service_exists', `Service "${clash.name}" exists already; import into a store without it`);
  tx.put({ t: 'service', v: record });
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
