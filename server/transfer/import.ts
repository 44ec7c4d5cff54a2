import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Domain } from '../core/domain.js';
import { DomainError } from '../core/errors.js';
import type { BadgeRecord, Item, UserRecord } from '../core/model.js';
import type { Store } from '../core/ports.js';
import { restoreItems } from '../core/rules/restore.js';
import { importingName } from '../core/rules/services.js';
import { newKey } from '../core/service-key.js';
import { ImportError, parseHeader, parseRecord, type HeaderLine, type RecordLine } from './format.js';
import { SECRET_ITEMS } from './secrets.js';

export { ImportError };
import { checkBadge, checkItem, checkItemInUnit, checkService, checkUser, MAX_LINE_BYTES, RecordProblem } from './records.js';

/** Users (or items) per unit of work: large enough to be fast, small enough to bound memory and lock time. */
const BATCH = 500;

export interface ImportOptions {
  /** Called after each batch of users with how many lines were read so far. */
  progress?: (lines: number) => void;
  /** The clock records are judged by (a rotation's grace); default now. */
  now?: () => number;
}

export interface ImportCounts {
  services: number;
  badges: number;
  users: number;
  items: number;
  header: HeaderLine;
  /** Services the export held no key of (`--without-secrets`): they got new ones. */
  newKeys: string[];
}

/**
 * Reads an export (see format.ts) line by line into a store. Every record is checked as the API
 * checks what makes it (records.ts). Each service is written under a hidden name (rules/services.ts)
 * a batch at a time, so memory and lock time stay bounded; only once the whole file has been read
 * and written are the services renamed to their own names, each in one step. A bad line, or a
 * failure of the store, stops the import with its line and takes everything it wrote away again:
 * the store is as it was, and the fixed file imports. (A kill midway leaves a hidden service, which
 * no request sees and the next import of that service removes.) Services must not exist yet.
 */
export async function importStore(domain: Domain, store: Pick<Store, 'getService' | 'renameService'>, input: Readable, options: ImportOptions = {}): Promise<ImportCounts> {
  const counts: Omit<ImportCounts, 'header'> = { services: 0, badges: 0, users: 0, items: 0, newKeys: [] };
  let header: HeaderLine | undefined;
  const now = options.now ?? Date.now;
  const lines = createInterface({ input, crlfDelay: Infinity });
  /** Each service of the file: its own name, where it is written meanwhile. */
  const written: { name: string; hidden: string }[] = [];
  let number = 0;
  let section: Section | null = null;

  const flush = async () => {
    if (!section) return;
    const { name, hidden, badges, users, items } = section;
    // The core's messages name the service it wrote: the file knows it by its own name.
    const named = <T>(work: Promise<T>) => work.catch((error: unknown) => Promise.reject(error instanceof Error && error.message.includes(hidden) ? Object.assign(error, { message: error.message.split(hidden).join(name) }) : error));
    if (badges.length > 0) await at(badges[0]!.line, named(domain.restoreBadges(hidden, badges.map((b) => b.record))));
    if (users.length > 0) await at(users[0]!.line, named(domain.restoreUsers(hidden, users.map((u) => u.record))));
    if (items.length > 0) {
      await at(
        items[0]!.line,
        named(
          domain.run(hidden, async (tx) => {
            // A rule names badges and event types restored before it: checked where they are.
            for (const { line, record } of items) {
              await at(line, checkItemInUnit(tx, hidden, record), `item ${record.kind} "${record.id}"`);
              await restoreItems(tx, hidden, [record]);
            }
          }),
        ),
      );
    }
    counts.badges += badges.length;
    counts.users += users.length;
    counts.items += items.length;
    section.badges = [];
    section.users = [];
    section.items = [];
    options.progress?.(number);
  };

  try {
    for await (const text of lines) {
      number++;
      if (text.length > MAX_LINE_BYTES) throw new ImportError(number, `line ${number}: longer than ${MAX_LINE_BYTES} bytes; no record is`);
      if (number === 1) {
        header = parseHeader(text);
        continue;
      }
      if (text.trim() === '') continue;
      const record = parseRecord(text, number);
      if ('service' in record) {
        await flush();
        section = await begin(record.service, number);
        written.push({ name: section.name, hidden: section.hidden });
        counts.services++;
        continue;
      }
      const owner = 'badge' in record ? record.badge.service : 'user' in record ? record.user.service : record.item.service;
      if (!section || owner !== section.name) throw new ImportError(number, `line ${number}: a record of "${owner}" outside that service's section`);
      add(section, record as Exclude<RecordLine, { service: unknown }>, number);
      if (section.users.length >= BATCH || section.items.length >= BATCH) await flush();
    }
    if (number === 0) throw new ImportError(0, 'the file is empty');
    await flush();
    for (const { name, hidden } of written) await store.renameService(hidden, name);
  } catch (error) {
    // Nothing of the file stays.
    for (const { hidden } of written) await domain.deleteService(hidden).catch(() => {});
    throw error instanceof ImportError ? error : new ImportError(number, `line ${number}: ${(error as Error).message}`);
  }
  return { ...counts, header: header! };

  /** A service's section starts: its record checked, its leftovers of a failed import removed. */
  async function begin(value: unknown, line: number): Promise<Section> {
    const service = judged(line, 'service', () => checkService(value));
    if (await store.getService(service.name)) throw new ImportError(line, `line ${line}: service "${service.name}" exists already; import into a store without it (service_exists)`);
    const hidden = importingName(service.name);
    if (await store.getService(hidden)) await domain.deleteService(hidden);
    // An export made without secrets holds no key: the service gets a new one.
    if (service.key === undefined) counts.newKeys.push(service.name);
    await at(line, domain.restoreService({ ...service, key: service.key ?? newKey() }, hidden), `service "${service.name}"`);
    return { name: service.name, hidden, badgeNames: new Set(), userNames: new Set(), itemKeys: new Set(), badges: [], users: [], items: [] };
  }

  function add(section: Section, record: Exclude<RecordLine, { service: unknown }>, line: number): void {
    if ('badge' in record) {
      if (section.users.length > 0 || section.items.length > 0 || section.userNames.size > 0 || section.itemKeys.size > 0) {
        throw new ImportError(line, `line ${line}: a badge after the users of "${section.name}"`);
      }
      const badge = judged(line, 'badge', () => checkBadge(record.badge.record));
      if (section.badgeNames.has(badge.name)) throw new ImportError(line, `line ${line}: badge "${badge.name}" is listed twice`);
      section.badgeNames.add(badge.name);
      section.badges.push({ line, record: badge });
    } else if ('user' in record) {
      if (section.items.length > 0 || section.itemKeys.size > 0) throw new ImportError(line, `line ${line}: a user after the items of "${section.name}"`);
      const user = judged(line, 'user', () => checkUser(record.user.record, section.badgeNames));
      if (section.userNames.has(user.name)) throw new ImportError(line, `line ${line}: user "${user.name}" is listed twice`);
      section.userNames.add(user.name);
      section.users.push({ line, record: user });
    } else {
      const { record: value } = record.item;
      // An export made without secrets: a kind that needs one (a webhook endpoint's) gets its own, then is checked.
      const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
      const renew = header?.secrets === false && typeof kind === 'string' ? SECRET_ITEMS[kind]?.renew : undefined;
      const item = judged(line, 'item', () => checkItem(renew ? { ...(value as Item), v: renew((value as Item).v) } : value, now()));
      const key = `${item.kind}\n${item.id}`;
      if (section.itemKeys.has(key)) throw new ImportError(line, `line ${line}: item ${item.kind} "${item.id}" is listed twice`);
      section.itemKeys.add(key);
      section.items.push({ line, record: item });
    }
  }
}

interface Section {
  name: string;
  hidden: string;
  badgeNames: Set<string>;
  userNames: Set<string>;
  itemKeys: Set<string>;
  badges: { line: number; record: BadgeRecord }[];
  users: { line: number; record: UserRecord }[];
  items: { line: number; record: Item }[];
}

/** The record, checked; a problem says the line, what the record is, and the field. */
function judged<T>(line: number, kind: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof RecordProblem) throw new ImportError(line, `line ${line}: ${kind}${error.field ? ` ${error.field}` : ''}: ${error.message}`);
    throw error;
  }
}

/** A write of records from `line` on; the core's refusal says the line (and what, when known). */
async function at<T>(line: number, work: Promise<T>, what?: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof RecordProblem) throw new ImportError(line, `line ${line}: ${what ?? 'record'}${error.field ? ` ${error.field}` : ''}: ${error.message}`);
    if (error instanceof DomainError) throw new ImportError(line, `line ${line}: ${what ? `${what}: ` : ''}${error.message} (${error.code})`);
    throw error;
  }
}
