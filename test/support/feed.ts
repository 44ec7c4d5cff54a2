import type { TestContext } from 'node:test';
import { composeDomain } from '../../server/app/domain.js';
import type { Invalidation } from '../../server/core/changes.js';
import type { BadgeInput } from '../../server/core/model.js';
import type { Store } from '../../server/core/ports.js';
import type { StoreKind } from './stores.js';

/** The next change the store's feed tells of the service (or of everything). */
export function nextChange(store: Store, service: string): Promise<Invalidation> {
  return new Promise((resolve) => {
    const stop = store.feed.subscribe((change) => {
      if (change.service === service || change.service === '*') {
        stop();
        resolve(change);
      }
    });
  });
}

/** Resolves once the feed has told nothing for 300 ms: the notifications of earlier writes (from another instance, too) are in. */
export function quiet(store: Store): Promise<void> {
  return new Promise((resolve) => {
    let timer = setTimeout(done, 300);
    const stop = store.feed.subscribe(() => {
      clearTimeout(timer);
      timer = setTimeout(done, 300);
    });
    function done() {
      stop();
      resolve();
    }
  });
}

/**
 * A store of `kind` with the service "shop" and `badges`: `writer` to write it through, and `reader`
 * to read it, another instance on a shared store (what it learns of writes comes through its feed),
 * the same one otherwise.
 */
export async function writerAndReader(kind: StoreKind, t: TestContext, badges: readonly BadgeInput[]) {
  const place = await kind.place();
  t.after(() => place.cleanup());
  const writer = await place.open();
  const reader = kind.shared ? await place.open() : writer;
  const domain = composeDomain(writer);
  await domain.createService('shop', 'shop-key-0123456789');
  await domain.putBadges('shop', badges);
  return { writer, reader, domain };
}
