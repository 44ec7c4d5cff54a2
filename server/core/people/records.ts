import { EMAIL_KIND } from '../email.js';
import { notFound } from '../errors.js';
import type { Item, UserRecord } from '../model.js';
import type { Reads } from '../ports.js';
import { requireService } from '../rules/services.js';
import { subjectsOf } from '../subjects.js';

/**
 * Everything a service holds of one person: their user record (awards, progress) and every item
 * whose data subject is them or one of their addresses (core/subjects.ts). What export, erasure
 * and renaming start from, read in the unit that acts on it.
 */
export interface PersonsRecords {
  user: UserRecord | undefined;
  addresses: string[];
  /** In (kind, at, id) order. */
  items: Item[];
}

export async function personsRecords(tx: Reads, service: string, name: string): Promise<PersonsRecords> {
  await requireService(tx, service);
  const user = await tx.user(service, name);
  const addresses = (await tx.items(service, EMAIL_KIND, { owner: name })).map((item) => item.id);
  const items = await tx.itemsOfSubjects(service, subjectsOf(name, addresses));
  if (!user && items.length === 0) throw notFound('user_not_found', `Service "${service}" holds nothing of a user "${name}"`);
  return { user, addresses, items };
}
