import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Domain } from '../../server/core/domain.js';
import { activityEntries } from '../../server/core/events/activity.js';
import { backfillStep, startBackfill } from '../../server/core/events/backfill.js';
import { putEventTypes } from '../../server/core/events/event-types.js';
import { ingest } from '../../server/core/events/ingest.js';
import { metaBadges } from '../../server/core/events/meta.js';
import type { RuleDefinition } from '../../server/core/events/rule-model.js';
import { createRule, getRule } from '../../server/core/events/rules.js';
import type { Store } from '../../server/core/ports.js';
import { storeKinds } from '../support/stores.js';

/**
 * Properties of rules over any events: a backfill of stored events awards exactly what live
 * evaluation of the same events (in time order) awarded, with the same dates; and a batch sent again
 * changes nothing. On the embedded store with many runs, on PostgreSQL with a few.
 */

const T0 = Date.UTC(2026, 10, 1);
const HOUR = 3_600_000;
const NOW = T0 + 40 * 24 * HOUR;
const types = [
  { source: 'app', type: 'task', action: 'close' },
  { source: 'app', type: 'build', action: 'fail' },
];

const ruleArb: fc.Arbitrary<RuleDefinition> = fc.oneof(
  fc.record({
    badge: fc.constant('b'),
    condition: fc.constantFrom('count' as const, 'days' as const),
    eventTypes: fc.subarray(types, { minLength: 1 }),
    count: fc.integer({ min: 1, max: 4 }),
    window: fc.option(fc.constantFrom('PT12H', 'P1D', 'P3D'), { nil: undefined }),
    repeatable: fc.boolean(),
    data: fc.option(fc.constant({ level: 'high' }), { nil: undefined }),
  }),
  fc.record({ badge: fc.constant('b'), condition: fc.constant('first' as const), eventTypes: fc.subarray(types, { minLength: 1 }) }),
);

interface Ev {
  type: number;
  user: string;
  hour: number;
  high: boolean;
}
const eventsArb = fc.array(fc.record({ type: fc.integer({ min: 0, max: 1 }), user: fc.constantFrom('ann', 'bob', 'cy'), hour: fc.integer({ min: 0, max: 24 * 30 }), high: fc.boolean() }), { maxLength: 40 });

const wire = (events: Ev[]) =>
  events
    .map((e, i) => ({ eventType: types[e.type], id: `e${String(i).padStart(3, '0')}`, user: e.user, at: new Date(T0 + e.hour * HOUR).toISOString(), ...(e.high ? { data: { level: 'high' } } : {}) }))
    // Live evaluation sees them in time order, as backfill walks them.
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1));

async function fresh(store: Store): Promise<Domain> {
  const domain = new Domain(store, () => NOW).react(activityEntries).react(metaBadges);
  await domain.createService('s', 'k');
  await domain.putBadges('s', [{ name: 'b', fields: {} }, { name: 'c', fields: {} }, { name: 'meta', fields: {} }]);
  await domain.run('s', (tx) => putEventTypes(tx, 's', types));
  return domain;
}

const awardsOf = async (store: Store) =>
  (await store.listUsers('s', { offset: 0, limit: 100 })).users.map((u) => ({ name: u.name, awards: u.awards.map((a) => ({ ...a })).sort((x, y) => (x.badge < y.badge ? -1 : 1)) }));

const runs = (kind: string, lowdb: number, postgres: number) => (kind === 'PostgreSQL' ? postgres : lowdb);

for (const kind of storeKinds.filter((k) => k.name !== 'lowdb on a file')) {
  describe(`event rules, properties: ${kind.name}`, () => {
    test('a backfill over stored events awards what live evaluation of them awarded, dated alike', async () => {
      await fc.assert(
        fc.asyncProperty(ruleArb, eventsArb, fc.integer({ min: 1, max: 7 }), async (rule, events, batch) => {
          const places = [await kind.place(), await kind.place()];
          try {
            const live = await places[0]!.open();
            const later = await places[1]!.open();
            const [a, b] = [await fresh(live), await fresh(later)];
            const meta = { badge: 'meta', condition: 'badges' as const, badges: ['b', 'c'] };
            // Live: rules first, then the events a few at a time.
            await a.run('s', (tx) => createRule(tx, 's', rule, 'r'));
            await a.run('s', (tx) => createRule(tx, 's', meta, 'm'));
            const sent = wire(events);
            for (let i = 0; i < sent.length; i += batch) await a.run('s', (tx) => ingest(tx, 's', sent.slice(i, i + batch), { via: 'api' }));
            // Later: the events first, then the rules and a backfill.
            await b.run('s', (tx) => ingest(tx, 's', sent, { via: 'api' }));
            await b.run('s', (tx) => createRule(tx, 's', rule, 'r'));
            await b.run('s', (tx) => createRule(tx, 's', meta, 'm'));
            const r = (await b.run('s', (tx) => getRule(tx, 's', 'r')))!;
            await b.run('s', (tx) => startBackfill(tx, 's', r, sent.length));
            while (await backfillStep(later, b, 's', 'r', 7));
            assert.deepEqual(await awardsOf(later), await awardsOf(live));
          } finally {
            for (const place of places) await place.cleanup();
          }
        }),
        { numRuns: runs(kind.name, 60, 6), seed: 20261129 },
      );
    });

    test('sending a batch again changes nothing', async () => {
      await fc.assert(
        fc.asyncProperty(ruleArb, eventsArb, async (rule, events) => {
          const place = await kind.place();
          try {
            const store = await place.open();
            const domain = await fresh(store);
            await domain.run('s', (tx) => createRule(tx, 's', rule, 'r'));
            const sent = wire(events);
            await domain.run('s', (tx) => ingest(tx, 's', sent, { via: 'api' }));
            const snapshot = async () => ({
              users: await awardsOf(store),
              items: await Promise.all(['event', 'rule-state', 'activity', 'event-rejected'].map((k) => store.listItems('s', k, {}))),
            });
            const before = await snapshot();
            const again = await domain.run('s', (tx) => ingest(tx, 's', sent, { via: 'api' }));
            assert.ok(again.every((r) => r.status === 'duplicate'));
            assert.deepEqual(await snapshot(), before);
          } finally {
            await place.cleanup();
          }
        }),
        { numRuns: runs(kind.name, 40, 4), seed: 20261130 },
      );
    });
  });
}
