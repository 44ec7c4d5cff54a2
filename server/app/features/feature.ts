import type { Reactor } from '../../core/reactor.js';
import type { Route } from '../../http/routes/table.js';
import type { Job } from '../../jobs/background.js';
import type { JobDeps } from '../../jobs/deps.js';

/**
 * One feature of the server, declared in one place: what it adds to every unit of work (reactors),
 * to the HTTP API (routes, and so /openapi.json) and to what runs beside requests (jobs). Features
 * are listed once, in `features/index.ts`; the app, the CLI, the seed, import and the tests all
 * build from that list, so a rule of a feature holds on every path.
 */
export interface Feature {
  name: string;
  /** Reactions to the domain events of every unit, inside the unit (see core/events.ts). */
  reactors?: readonly Reactor[];
  /** Its routes: `/v1/...` routes, the operator's (tag `admin`) and the server's own (tag `meta`). */
  routes?: readonly Route[];
  /** Its background jobs, built from the running server's parts. */
  jobs?: (deps: JobDeps) => readonly Job[];
}
