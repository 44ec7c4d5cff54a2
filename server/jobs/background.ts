import type { ChangeFeed } from '../core/ports.js';

/**
 * The server's periodic work (webhook deliveries, retention, expiries): jobs that each run at most
 * once at a time, again after `intervalMs`, or at once when `wake` says there is work. Timers do
 * not hold the process open; `stop` waits for the jobs running and starts no more.
 *
 * A job does its work in units of work, so an instance killed halfway leaves nothing half done:
 * whatever it had not finished is due again, for this instance or another one.
 */
export interface Job {
  name: string;
  intervalMs: number;
  /**
   * Item kinds whose change means work for this job (a delivery written, a backfill started): it
   * runs as soon as such a change is durable, on every instance the change feed reaches.
   */
  wakeOn?: readonly string[];
  /** One round of the job; resolves when the round is over. */
  run(): Promise<void>;
  /**
   * Work a round started and did not wait for (webhook attempts in flight), if any: `stop` and
   * `settled` wait for it too.
   */
  outstanding?(): Promise<void> | undefined;
}

interface Scheduled {
  job: Job;
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
  /** Woken while running: run again right after. */
  again: boolean;
}

export class Background {
  private readonly jobs = new Map<string, Scheduled>();
  private stopped = false;

  constructor(private readonly log: (message: string, error?: unknown) => void = () => {}) {}

  /** Schedules a job; its first round runs after `intervalMs` (or when woken). */
  add(job: Job): void {
    if (this.jobs.has(job.name)) throw new Error(`A background job named ${job.name} exists`);
    const scheduled: Scheduled = { job, timer: null, running: null, again: false };
    this.jobs.set(job.name, scheduled);
    this.schedule(scheduled);
  }

  /** Wakes the jobs whose `wakeOn` kinds a durable change touched; returns the unsubscribe. */
  watch(feed: ChangeFeed): () => void {
    return feed.subscribe((change) => {
      for (const { job } of this.jobs.values()) {
        if (job.wakeOn && (change.all || job.wakeOn.some((kind) => change.items?.includes(kind)))) this.wake(job.name);
      }
    });
  }

  /** Runs the job now, or once more right after the round in progress. */
  wake(name: string): void {
    const scheduled = this.jobs.get(name);
    if (!scheduled || this.stopped) return;
    if (scheduled.running) {
      scheduled.again = true;
      return;
    }
    if (scheduled.timer) clearTimeout(scheduled.timer);
    scheduled.timer = null;
    this.start(scheduled);
  }

  /** Resolves once the named job's current round (if any) and the work it left running are over; for tests. */
  async settled(name: string): Promise<void> {
    for (;;) {
      const scheduled = this.jobs.get(name);
      const pending = scheduled?.running ?? scheduled?.job.outstanding?.();
      if (!pending) return;
      await pending;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const scheduled of this.jobs.values()) if (scheduled.timer) clearTimeout(scheduled.timer);
    await Promise.all([...this.jobs.values()].map((scheduled) => this.settled(scheduled.job.name)));
  }

  private schedule(scheduled: Scheduled): void {
    if (this.stopped) return;
    scheduled.timer = setTimeout(() => {
      scheduled.timer = null;
      this.start(scheduled);
    }, scheduled.job.intervalMs);
    scheduled.timer.unref();
  }

  private start(scheduled: Scheduled): void {
    scheduled.again = false;
    scheduled.running = scheduled.job
      .run()
      .catch((error) => this.log(`background job ${scheduled.job.name} failed`, error))
      .finally(() => {
        scheduled.running = null;
        if (scheduled.again && !this.stopped) this.start(scheduled);
        else this.schedule(scheduled);
      });
  }
}
