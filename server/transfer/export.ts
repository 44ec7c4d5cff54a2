import type { Writable } from 'node:stream';
import type { Queries, Store } from '../core/ports.js';
import { FORMAT, VERSION, type Source } from './format.js';
import { SECRET_ITEMS } from './secrets.js';

/** Users read and written per page: memory stays bounded whatever the store holds. */
const PAGE = 1000;

export interface ExportOptions {
  /** Only this service; all services otherwise. */
  service?: string;
  /** Called after each page with the users written so far of the service being written. */
  progress?: (service: string, done: number, total: number) => void;
  now?: Date;
  /** Leave out service keys, scoped keys and webhook signing secrets (see secrets.ts); they are kept by default. */
  withoutSecrets?: boolean;
  /** The store exported, for the header: an import of the whole store into PostgreSQL marks it moved. */
  from?: Source;
}

export interface ExportCounts {
  services: number;
  badges: number;
  users: number;
  items: number;
  /** Whether the export holds secrets (keys, webhook signing secrets): it is then as sensitive as the keys. */
  secrets: boolean;
}

/**
 * Writes the store (or one service) to `out` as JSON Lines (see format.ts), from one snapshot: what a
 * server changes meanwhile is in none of it (see Store.snapshot), so the export is consistent while
 * the server runs. Resolves when written.
 */
export function exportStore(store: Pick<Store, 'snapshot'>, out: Writable, options: ExportOptions = {}): Promise<ExportCounts> {
  return store.snapshot((view) => exportView(view, out, options));
}

async function exportView(store: Queries, out: Writable, options: ExportOptions): Promise<ExportCounts> {
  const write = async (value: object) => {
    if (!out.write(JSON.stringify(value) + '\n')) await drained(out);
  };
  const secrets = !options.withoutSecrets;
  const counts = { services: 0, badges: 0, users: 0, items: 0, secrets };
  const services = options.service
    ? [await store.getService(options.service)].filter((s) => s !== undefined)
    : await store.listServices();
  if (options.service && services.length === 0) throw new Error(`Service "${options.service}" does not exist`);
  const whole = options.service === undefined;
  await write({ format: FORMAT, version: VERSION, exportedAt: (options.now ?? new Date()).toISOString(), secrets, ...(options.from && whole ? { from: options.from } : {}) });
  for (const service of services) {
    if (secrets) await write({ service });
    else {
      const { key: _key, ...withoutKey } = service;
      await write({ service: withoutKey });
    }
    counts.services++;
    for (const record of await store.listBadges(service.name)) {
      await write({ badge: { service: service.name, record } });
      counts.badges++;
    }
    const { total } = await store.listUsers(service.name, { offset: 0, limit: 0 });
    let done = 0;
    for (let after: string | null = null; ; ) {
      const users = await store.usersAfter(service.name, after, PAGE);
      for (const record of users) await write({ user: { service: service.name, record } });
      counts.users += users.length;
      done += users.length;
      options.progress?.(service.name, done, Math.max(done, total));
      if (users.length < PAGE) break;
      after = users.at(-1)!.name;
    }
    for (const kind of await store.itemKinds(service.name)) {
      for (let after: { at: string; id: string } | undefined; ; ) {
        const items = await store.listItems(service.name, kind, { after, limit: PAGE });
        const strip = secrets ? undefined : SECRET_ITEMS[kind]?.strip;
        for (const record of items) {
          const v = strip ? strip(record.v) : record.v;
          if (v === null) continue;
          await write({ item: { service: service.name, record: { ...record, v } } });
          counts.items++;
        }
        if (items.length < PAGE) break;
        after = items.at(-1)!;
      }
    }
  }
  return counts;
}

/**
 * Until `out` takes more; rejects if it closes first (a client that went away), so that an export
 * holding a snapshot open (and, on the embedded store, writes back) ends with it.
 */
function drained(out: Writable): Promise<void> {
  if (out.destroyed) return Promise.reject(new Error('The export was cut off: its reader went away'));
  return new Promise((resolve, reject) => {
    const drain = () => {
      out.off('close', close);
      resolve();
    };
    const close = () => {
      out.off('drain', drain);
      reject(new Error('The export was cut off: its reader went away'));
    };
    out.once('drain', drain).once('close', close);
  });
}
