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
import { storeKinds, type StoreKind } from '../support/stores.js';

/**
 * Properties of rules over any events: live evaluation of events in time order awards what a plain
 * reading of the rule says (every window counted out in full, as the rule is written); a backfill of
 * stored events awards exactly that too, with the same dates; events arriving in any order are
 * awarded as a backfill of them would (rules that award once, or count without a window); and a
 * batch sent again changes nothing. On the embedded store with many runs, on PostgreSQL with a few.
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

const unsorted = (events: Ev[]) =>
  events.map((e, i) => ({ eventType: types[e.type]!, id: `e${String(i).padStart(3, '0')}`, user: e.user, at: new Date(T0 + e.hour * HOUR).toISOString(), ...(e.high ? { data: { level: 'high' } } : {}) }));
type Wire = ReturnType<typeof unsorted>[number];
const inOrder = (a: Wire, b: Wire) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1);
// Live evaluation sees them in time order, as backfill walks them.
const wire = (events: Ev[]) => unsorted(events).sort(inOrder);

/**
 * The rule as written, counted the long way: for each of its events in time order, the events it
 * counts in the window before it (after the last award, if repeatable) are counted out in full.
 * Answers each user's awards of the badge: how many, the first and the latest date.
 */
function plainReading(rule: RuleDefinition, sent: Wire[]): Map<string, { count: number; first: string; latest: string }> {
  const windows: Record<string, number> = { PT12H: 12 * HOUR, P1D: 24 * HOUR, P3D: 72 * HOUR };
  const N = rule.condition === 'first' ? 1 : (rule.count ?? 1);
  const window = rule.window ? windows[rule.window]! : null;
  const counts = (e: Wire) => rule.eventTypes!.some((t) => t === e.eventType) && (!rule.data || 'data' in e);
  const awards = new Map<string, string[]>();
  for (const user of new Set(sent.map((e) => e.user))) {
    const mine = sent.filter((e) => e.user === user && counts(e));
    const dates: string[] = [];
    let since = -1;
    for (let i = 0; i < mine.length; i++) {
      const at = Date.parse(mine[i]!.at);
      const inWindow = mine.slice(0, i + 1).filter((e, j) => j > since && (window === null || Date.parse(e.at) > at - window));
      const reach = rule.condition === 'days' ? new Set(inWindow.map((e) => e.at.slice(0, 10))).size : inWindow.length;
      const held = dates.length;
      const earns = window !== null ? reach >= N && (rule.repeatable || held === 0) : rule.repeatable ? Math.floor(reach / N) > held : held === 0 && reach >= N;
      if (!earns) continue;
      dates.push(mine[i]!.at);
      if (window !== null && rule.repeatable) since = i;
    }
    if (dates.length > 0) awards.set(user, dates);
  }
  const sorted = [...awards].sort(([a], [b]) => (a < b ? -1 : 1));
  return new Map(sorted.map(([user, dates]) => [user, { count: dates.length, first: [...dates].sort()[0]!, latest: [...dates].sort().at(-1)! }]));
}

/** Each user's award of badge "b". */
const awardsOfB = async (store: Store) =>
  new Map(
    (await store.listUsers('s', { offset: 0, limit: 100 })).users.flatMap((u) => {
      const b = u.awards.find((a) => a.badge === 'b');
      return b ? [[u.name, { count: b.count, first: b.first, latest: b.latest }] as const] : [];
    }),
  );

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

/** Live evaluation: the rule first, then the events as sent, a few at a time. Answers each user's award of "b". */
async function live(kind: StoreKind, rule: RuleDefinition, sent: Wire[], batch: number) {
  const place = await kind.place();
  try {
    const store = await place.open();
    const domain = await fresh(store);
    await domain.run('s', (tx) => createRule(tx, 's', rule, 'r'));
    for (let i = 0; i < sent.length; i += batch) await domain.run('s', (tx) => ingest(tx, 's', sent.slice(i, i + batch), { via: 'api' }));
    return await awardsOfB(store);
  } finally {
    await place.cleanup();
  }
}

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

    test('live evaluation of events in time order awards what the rule, counted the long way, says', async () => {
      await fc.assert(
        fc.asyncProperty(ruleArb, eventsArb, fc.integer({ min: 1, max: 7 }), async (rule, events, batch) => {
          const sent = wire(events);
          assert.deepEqual(await live(kind, rule, sent, batch), plainReading(rule, sent));
        }),
        { numRuns: runs(kind.name, 80, 6), seed: 20261211 },
      );
    });

    test('events arriving in any order are awarded as often as the rule over them in time order says (repeatable windowed rules: at least once if it says so)', async () => {
      // Few events, so that the one arriving last is often the one that completes a window.
      const few = fc.array(fc.record({ type: fc.integer({ min: 0, max: 1 }), user: fc.constantFrom('ann', 'bob'), hour: fc.integer({ min: 0, max: 24 * 6 }), high: fc.boolean() }), { maxLength: 12 });
      await fc.assert(
        fc.asyncProperty(ruleArb, few, fc.integer({ min: 1, max: 4 }), fc.integer(), async (rule, events, batch, seed) => {
          // Late events: a fixed shuffle of the batches' order.
          const sent = fc.sample(fc.shuffledSubarray(unsorted(events), { minLength: events.length }), { numRuns: 1, seed })[0]!;
          // A repeatable windowed rule restarts its count after each award: which events earn them
          // depends on what had arrived, and awards made are not taken back. But it awards a user
          // if, and only if, some window of theirs holds.
          const restarts = rule.window && rule.repeatable;
          const counts = (awards: Map<string, { count: number }>) => new Map([...awards].map(([user, a]) => [user, restarts ? 'awarded' : a.count]));
          assert.deepEqual(counts(await live(kind, rule, sent, batch)), counts(plainReading(rule, [...sent].sort(inOrder))));
        }),
        { numRuns: runs(kind.name, 150, 8), seed: 20261212 },
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
