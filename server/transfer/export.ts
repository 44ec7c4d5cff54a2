import type { Writable } from 'node:stream';
import { once } from 'node:events';
import type { Queries } from '../core/ports.js';
import { FORMAT, VERSION } from './format.js';

/** Users read and written per page: memory stays bounded whatever the store holds. */
const PAGE = 1000;

export interface ExportOptions {
  /** Only this service; all services otherwise. */
  service?: string;
  /** Called after each page with the users written so far of the service being written. */
  progress?: (service: string, done: number, total: number) => void;
  now?: Date;
}

/** Writes the store (or one service) to `out` as JSON Lines (see format.ts); resolves when written. */
export async function exportStore(store: Queries, out: Writable, options: ExportOptions = {}): Promise<{ services: number; badges: number; users: number; items: number }> {
  const write = async (value: object) => {
    if (!out.write(JSON.stringify(value) + '\n')) await once(out, 'drain');
  };
  const counts = { services: 0, badges: 0, users: 0, items: 0 };
  const services = options.service
    ? [await store.getService(options.service)].filter((s) => s !== undefined)
    : await store.listServices();
  if (options.service && services.length === 0) throw new Error(`Service "${options.service}" does not exist`);
  await write({ format: FORMAT, version: VERSION, exportedAt: (options.now ?? new Date()).toISOString() });
  for (const service of services) {
    await write({ service });
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
        for (const record of items) await write({ item: { service: service.name, record } });
        counts.items += items.length;
        if (items.length < PAGE) break;
        after = items.at(-1)!;
      }
    }
  }
  return counts;
}
