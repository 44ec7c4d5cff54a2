import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { composeDomain } from '../../server/app/domain.js';
import { backfillUser, previewRule } from '../../server/core/events/backfill.js';
import { putEventTypes } from '../../server/core/events/event-types.js';
import { ingest } from '../../server/core/events/ingest.js';
import { createRule, getRule } from '../../server/core/events/rules.js';
import type { Item } from '../../server/core/model.js';
import type { Store, Tx, UnitOfWork } from '../../server/core/ports.js';
import { storeKinds } from '../support/stores.js';
import { within } from '../support/deadline.js';

/**
 * Windowed rules cost an event the same however many events the window holds, and the long walks
 * over a service's history (preview, backfill) give the process back to everyone else as they go.
 * Two services side by side: one with a long history, one that only writes.
 */

const NOW = Date.UTC(2026, 11, 1);
const close = { source: 'app', type: 'task', action: 'close' };
const HOUR = 3_600_000;

/** `count` events of one user, one a minute, ending an hour before NOW. */
const history = (count: number, prefix = 'h') =>
  Array.from({ length: count }, (_, i) => ({ eventType: close, id: `${prefix}${i}`, user: 'ann', at: new Date(NOW - HOUR - (count - i) * 60_000).toISOString() }));

/** Units whose stored items read are counted: what a rule reads, whatever the store. */
function counted(store: Store): { uow: UnitOfWork; read: () => number } {
  let read = 0;
  const count = (items: Item[]) => ((read += items.length), items);
  const uow: UnitOfWork = {
    run: (scope, now, work) =>
      store.run(scope, now, (tx) =>
        work(
          new Proxy(tx, {
            get(target, name) {
              if (name === 'items') return async (...args: Parameters<Tx['items']>) => count(await target.items(...args));
              if (name === 'itemsByOwner') return async (...args: Parameters<Tx['itemsByOwner']>) => new Map([...(await target.itemsByOwner(...args))].map(([owner, items]) => [owner, count(items)]));
              const value = Reflect.get(target, name);
              return typeof value === 'function' ? value.bind(target) : value;
            },
          }),
        ),
      ),
  };
  return { uow, read: () => read };
}

/** How many times the event loop turned while `work` ran. */
async function turnsDuring<T>(work: Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let running = true;
  const spin = () => {
    if (!running) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  try {
    return { result: await work, turns };
  } finally {
    running = false;
  }
}

async function service(store: Store, name: string, rules: Parameters<typeof createRule>[2][]) {
  const domain = composeDomain(store, { now: () => NOW });
  await domain.createService(name, 'k');
  await domain.putBadges(name, [{ name: 'b', fields: {} }, { name: 'c', fields: {} }]);
  await domain.run(name, (tx) => putEventTypes(tx, name, [close]));
  for (const [i, rule] of rules.entries()) await domain.run(name, (tx) => createRule(tx, name, rule, `r${i}`));
  return domain;
}

const windowed = [
  { badge: 'b', condition: 'count' as const, eventTypes: [close], count: 1_000_000, window: 'P520W' },
  { badge: 'c', condition: 'count' as const, eventTypes: [close], count: 3, window: 'P520W', repeatable: true },
  { badge: 'c', condition: 'days' as const, eventTypes: [close], count: 2, window: 'P8W', repeatable: true },
];

for (const kind of storeKinds.filter((k) => k.name !== 'lowdb on a file')) {
  describe(`windowed rules and long walks: ${kind.name}`, () => {
    test('a batch of events reads the few events its rules step over, not the window they count', async (t) => {
      const place = await kind.place();
      t.after(() => place.cleanup());
      const store = await place.open();
      const domain = await service(store, 'busy', windowed);
      const stored = history(5000);
      for (let i = 0; i < stored.length; i += 1000) await domain.run('busy', (tx) => ingest(tx, 'busy', stored.slice(i, i + 1000), { via: 'api' }));
      const { uow, read } = counted(store);
      const measured = composeDomain(uow, { now: () => NOW });
      const batch = Array.from({ length: 100 }, (_, i) => ({ eventType: close, id: `n${i}`, user: 'ann', at: new Date(NOW - HOUR + i * 1000).toISOString() }));
      const results = await measured.run('busy', (tx) => ingest(tx, 'busy', batch, { via: 'api' }));
      assert.ok(results.every((r) => r.status === 'recorded'));
      // The window holds 5,100 events; the tails of the rules move on by 100 events each.
      assert.ok(read() < 1000, `read ${read()} stored items for a batch of 100 events`);
      // And the counting is right: every 3rd event of the count rule earned "c" again.
      assert.equal((await store.getUser('busy', 'ann'))!.awards.find((a) => a.badge === 'c')!.count >= Math.floor(5100 / 3), true);
    });

    test("a preview and a backfill of a long history give the event loop back as they go; another service's writes are not held", async (t) => {
      const place = await kind.place();
      t.after(() => place.cleanup());
      const store = await place.open();
      const busy = await service(store, 'busy', []);
      const quiet = await service(store, 'quiet', []);
      const stored = history(20_000);
      for (let i = 0; i < stored.length; i += 1000) await busy.run('busy', (tx) => ingest(tx, 'busy', stored.slice(i, i + 1000), { via: 'api' }));
      await busy.run('busy', (tx) => createRule(tx, 'busy', windowed[0]!, 'big'));
      const rule = (await busy.run('busy', (tx) => getRule(tx, 'busy', 'big')))!;

      const preview = await turnsDuring(within(previewRule(store, 'busy', { ...rule, count: 3 }), 120_000, 'a preview of 20,000 events'));
      assert.equal(preview.result.scanned, 20_000);
      assert.equal(preview.result.awards, 1);
      assert.ok(preview.turns >= 10, `the event loop turned ${preview.turns} times during the preview`);

      // One user's whole history, backfilled in one unit while another service writes.
      let during = 0;
      let done = false;
      const backfill = turnsDuring(within(busy.run('busy', (tx) => backfillUser(tx, 'busy', rule, 'ann')), 120_000, 'a backfill of one user with 20,000 events')).finally(() => (done = true));
      await within(
        (async () => {
          for (let i = 0; i < 5; i++) {
            await quiet.award('quiet', `u${i}`, ['b']);
            if (!done) during++;
          }
        })(),
        60_000,
        "another service's awards during a backfill",
      );
      const backfilled = await backfill;
      assert.equal(backfilled.result, 0);
      assert.ok(backfilled.turns >= 10, `the event loop turned ${backfilled.turns} times during the backfill`);
      assert.ok(during > 0, "another service's awards were made while the backfill ran");
      assert.equal((await store.listUsers('quiet', { offset: 0, limit: 10 })).total, 5);
    });
  });
}
