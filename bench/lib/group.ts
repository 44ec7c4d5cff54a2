import type { Bench } from './context.js';
import type { Figure } from './report.js';

/**
 * One group of figures: a file of its own, listed once in bench/groups.ts, run by name with
 * `npm run bench -- NAME`. A group measures those of its figures that `--only` asks for (all by
 * default) on the stores `--store` names, and returns its rows (or puts the rows of figures measured
 * on both stores in `bench.figures` and `bench.pgFigures`, which are shown first).
 */
export interface Group {
  name: string;
  summary: string;
  /** The figure numbers of `--only` it measures: 1-6, events, ... */
  figures: readonly string[];
  /** Whether it uses the run's PostgreSQL, which is stopped after the last group that does. */
  postgres?: boolean;
  run(bench: Bench): Promise<GroupResult | void>;
}

export interface GroupResult {
  figures: Figure[];
  /** Kept under the group's name in latest.json. */
  raw?: unknown;
}
