import type { Store } from '../ports.js';
import type { Domain } from '../domain.js';
import { KIND, type EventSettings } from './kinds.js';
import { listRules } from './rules.js';
import { eventSettings, retentionMs } from './settings.js';

/**
 * Removes events, kept refusals and activity entries older than the service keeps events, a bounded
 * number per unit, so a kill leaves nothing half done. Counts of rules without window are kept in their state, so
 * what retention removes is never counted again nor lost.
 */
export async function purgeExpiredEvents(store: Store, domain: Domain, defaults: EventSettings, batch = 1000): Promise<number> {
  let removed = 0;
  for (const service of await store.listServices()) {
    for (const kind of [KIND.event, KIND.pending, KIND.rejected, KIND.activity]) {
      for (;;) {
        const done = await domain.run(service.name, async (tx) => {
          const cutoff = new Date(tx.now.getTime() - retentionMs(await eventSettings(tx, service.name, defaults), await listRules(tx, service.name))).toISOString();
          const old = await tx.items(service.name, kind, { to: cutoff, limit: batch });
          for (const item of old) tx.put({ t: 'item-', s: service.name, k: kind, id: item.id });
          return old.length;
        });
        removed += done;
        if (done < batch) break;
      }
    }
  }
  return removed;
}
