import type { Background } from '../jobs/background.js';
import type { JobDeps } from '../jobs/deps.js';
import { FEATURES } from './features/index.js';

/** Every feature's jobs, scheduled on `background` and woken by the store's change feed. */
export function startJobs(deps: JobDeps & { background: Background }): void {
  for (const feature of FEATURES) for (const job of feature.jobs?.(deps) ?? []) deps.background.add(job);
  deps.background.watch(deps.store.feed);
}
