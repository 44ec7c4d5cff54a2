import { NOT_DUE, backfillStep } from '../core/events/backfill.js';
import { expire } from '../core/events/expiry.js';
import { KIND } from '../core/events/kinds.js';
import { purgeExpiredEvents } from '../core/events/retention.js';
import { sweepStates } from '../core/events/state-sweep.js';
import { DEFAULT_SETTINGS } from '../core/events/settings.js';
import type { Job } from './background.js';
import type { JobDeps } from './deps.js';

/** Background job names, for `background.wake` and tests' `settled`. */
export const JOBS = { retention: 'event-retention', expiry: 'rule-expiry', backfill: 'rule-backfill', sweep: 'rule-state-sweep' } as const;

/** How long one round of backfill works before letting the other jobs and a shutdown in. */
const BACKFILL_ROUND_MS = 1000;

/**
 * The jobs of events and rules: retention, revocations when a window passes, state sweeps and
 * backfills. Sweeps and backfills run as soon as one is scheduled (their items wake them).
 */
export function eventJobs({ store, domain: anyone, background, config }: JobDeps): Job[] {
  const defaults = { ...DEFAULT_SETTINGS, retentionDays: config.eventRetentionDays };
  const now = () => new Date(config.now()).toISOString();
  const as = (job: string) => anyone.as({ type: 'system', job });

  const retention: Job = { name: JOBS.retention, intervalMs: 10 * 60_000, run: async () => void (await purgeExpiredEvents(store, as(JOBS.retention), defaults)) };

  const expiry: Job = {
    name: JOBS.expiry,
    intervalMs: 60_000,
    run: async () => {
      const domain = as(JOBS.expiry);
      for (;;) {
        const due = await store.dueItems(KIND.expiry, now(), 200);
        for (const { service, item } of due) await domain.run(service, (tx) => expire(tx, service, item.id));
        if (due.length < 200) return;
      }
    },
  };

  // Sweeps and backfills: through their due items a unit at a time, for at most a second a round.
  const unitsOf = (name: string, intervalMs: number, kind: string, step: (service: string, id: string) => Promise<boolean>): Job => ({
    name,
    intervalMs,
    wakeOn: [kind],
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
  const sweeper = as(JOBS.sweep);
  const backfiller = as(JOBS.backfill);
  return [
    retention,
    expiry,
    unitsOf(JOBS.sweep, 60_000, KIND.stateSweep, (service) => sweeper.run(service, (tx) => sweepStates(tx, service))),
    unitsOf(JOBS.backfill, 30_000, KIND.backfill, (service, id) => backfillStep(store, backfiller, service, id)),
  ];
}
