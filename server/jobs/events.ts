import { activityEntries } from '../core/events/activity.js';
import { NOT_DUE, backfillStep } from '../core/events/backfill.js';
import { expire } from '../core/events/expiry.js';
import { KIND } from '../core/events/kinds.js';
import { metaBadges } from '../core/events/meta.js';
import { purgeExpiredEvents } from '../core/events/retention.js';
import { sweepStates } from '../core/events/state-sweep.js';
import { DEFAULT_SETTINGS } from '../core/events/settings.js';
import type { Deps } from '../http/routes/context.js';

/** Background job names, for `background.wake` and tests' `settled`. */
export const JOBS = { retention: 'event-retention', expiry: 'rule-expiry', backfill: 'rule-backfill', sweep: 'rule-state-sweep' } as const;

/** How long one round of backfill works before letting the other jobs and a shutdown in. */
const BACKFILL_ROUND_MS = 1000;

/**
 * Events and rules beside the app: the reactors that keep the activity feed and meta-badges in
 * every unit of work, and the jobs for retention, revocations when a window passes, and backfills.
 */
export function installEvents({ domain, store, background, config }: Pick<Deps, 'domain' | 'store' | 'background' | 'config'>): void {
  domain.react(activityEntries).react(metaBadges);
  const defaults = { ...DEFAULT_SETTINGS, retentionDays: config.eventRetentionDays };
  const now = () => new Date(config.now()).toISOString();

  background.add({ name: JOBS.retention, intervalMs: 10 * 60_000, run: async () => void (await purgeExpiredEvents(store, domain, defaults)) });

  background.add({
    name: JOBS.expiry,
    intervalMs: 60_000,
    run: async () => {
      for (;;) {
        const due = await store.dueItems(KIND.expiry, now(), 200);
        for (const { service, item } of due) await domain.run(service, (tx) => expire(tx, service, item.id));
        if (due.length < 200) return;
      }
    },
  });

  // Sweeps and backfills: through their due items a unit at a time, for at most a second a round.
  const unitsOf = (name: string, intervalMs: number, kind: string, step: (service: string, id: string) => Promise<boolean>) =>
    background.add({
      name,
      intervalMs,
      run: async () => {
        const until = performance.now() + BACKFILL_ROUND_MS;
        let more = false;
        for (const { service, item } of await store.dueItems(kind, NOT_DUE, 100)) {
          while (performance.now() < until && (more = await step(service, item.id)));
          if (performance.now() >= until) break;
        }
        if (more) background.wake(name);
      },
    });
  unitsOf(JOBS.sweep, 60_000, KIND.stateSweep, (service) => domain.run(service, (tx) => sweepStates(tx, service)));
  unitsOf(JOBS.backfill, 30_000, KIND.backfill, (service, id) => backfillStep(store, domain, service, id));
}
