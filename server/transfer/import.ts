import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Domain } from '../core/domain.js';
import type { BadgeRecord, Item, UserRecord } from '../core/model.js';
import { newKey } from '../core/service-key.js';
import { parseHeader, parseRecord, type HeaderLine } from './format.js';
import { SECRET_ITEMS } from './secrets.js';

/** Users per unit of work: large enough to be fast, small enough to bound memory and lock time. */
const BATCH = 500;

export interface ImportOptions {
  /** Called after each batch of users with how many lines were read so far. */
  progress?: (lines: number) => void;
}

/**
 * Reads an export (see format.ts) line by line into a store, through the domain's restore rules:
 * services must not exist yet. A bad line stops the import with its line number; what came before
 * it is in the store (each batch is one unit of work), so fix the file and import into a fresh store.
 */
export interface ImportCounts {
  services: number;
  badges: number;
  users: number;
  items: number;
  header: HeaderLine;
  /** Services the export held no key of (`--without-secrets`): they got new ones. */
  newKeys: string[];
}

export async function importStore(domain: Domain, input: Readable, options: ImportOptions = {}): Promise<ImportCounts> {
  const counts: Omit<ImportCounts, 'header'> = { services: 0, badges: 0, users: 0, items: 0, newKeys: [] };
  let header: HeaderLine | undefined;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  let service: string | null = null;
  let badges: BadgeRecord[] = [];
  let users: UserRecord[] = [];
  let items: Item[] = [];

  const flush = async () => {
    if (service && badges.length > 0) await domain.restoreBadges(service, badges);
    if (service && users.length > 0) await domain.restoreUsers(service, users);
    if (service && items.length > 0) await domain.restoreItems(service, items);
    counts.badges += badges.length;
    counts.users += users.length;
    counts.items += items.length;
    badges = [];
    users = [];
    items = [];
    options.progress?.(number);
  };

  for await (const text of lines) {
    number++;
    if (number === 1) {
      header = parseHeader(text);
      continue;
    }
    if (text.trim() === '') continue;
    const record = parseRecord(text, number);
    if ('service' in record) {
      await flush();
      const { key, ...rest } = record.service;
      if (key === undefined) counts.newKeys.push(rest.name);
      await domain.restoreService({ ...rest, key: key ?? newKey() });
      service = record.service.name;
      counts.services++;
    } else {
      const owner = 'badge' in record ? record.badge.service : 'user' in record ? record.user.service : record.item.service;
      if (owner !== service) throw new Error(`line ${number}: a record of "${owner}" outside that service's section`);
      if ('badge' in record) {
        if (users.length > 0 || items.length > 0) throw new Error(`line ${number}: a badge after the users of "${owner}"`);
        badges.push(record.badge.record as BadgeRecord);
      } else if ('user' in record) {
        if (items.length > 0) throw new Error(`line ${number}: a user after the items of "${owner}"`);
        users.push(record.user.record);
        if (users.length >= BATCH) await flush();
      } else {
        const item = record.item.record as Item;
        const renew = header?.secrets === false ? SECRET_ITEMS[item.kind]?.renew : undefined;
        items.push(renew ? { ...item, v: renew(item.v) } : item);
        if (items.length >= BATCH) await flush();
      }
    }
  }
  if (number === 0) throw new Error('the file is empty');
  await flush();
  return { ...counts, header: header! };
}
