import type pg from 'pg';
import { invalidations, type Change, type Invalidation } from '../../core/changes.js';
import { DomainError } from '../../core/errors.js';
import { Overlay } from '../../core/overlay.js';
import type { Tx, UnitOfWork, UnitReads } from '../../core/ports.js';
import { BatchWrites } from './batch-writes.js';
import { maybeSaved, notSaved } from './failures.js';
import { TxReads, type ReadPlan } from './tx-reads.js';

interface Unit {
  now: Date;
  work: (tx: Tx) => Promise<unknown>;
  reads: UnitReads | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Scopes whose last batch's reads are remembered. */
const KEPT_PLANS = 1000;

const named = (units: readonly Unit[]) => units.flatMap((unit) => (unit.reads ? [unit.reads] : []));

type Outcome = { unit: Unit; ok: true; value: unknown } | { unit: Unit; ok: false; error: unknown };

export interface CommitHooks {
  /** The NOTIFY payloads that go out with the batch. */
  payloads(changes: readonly Invalidation[]): string[];
  /** Called once the batch committed, before any of its units is answered. */
  committed(changes: readonly Invalidation[]): void;
}

/**
 * Units of work on PostgreSQL, committed in groups. Units of one scope queue up; while a batch of
 * them is in its transaction, the ones that arrive join it until it writes, so a burst of writes to
 * one service costs one transaction, not one each. Each batch:
 *
 *   BEGIN; pg_advisory_xact_lock(scope)   -- every writer of the scope, on every instance, waits here
 *     and, in that round trip once the lock is granted, what the scope's last batch read (its
 *     service, badges, rules, counters: TxReads' ReadPlan) and the users the queued units name
 *   the users of units that joined while the lock was awaited, in one query
 *   each unit in turn, reading through the batch's overlay (earlier units' changes) over SQL
 *   the last change of each record, in a few statements, with NOTIFY
 *   COMMIT, then every unit is answered
 *
 * A unit that throws is dropped and only it fails. If the database fails (a query, the connection,
 * the COMMIT), every unit of the batch fails with `unavailable`, none having been acknowledged.
 * Scopes run in parallel, each batch on a pool connection of its own.
 */
export class GroupCommit implements UnitOfWork {
  private readonly queues = new Map<string, Unit[]>();
  private readonly running = new Map<string, Promise<void>>();
  /** scope -> what its last batch read, which its next batch reads with the lock */
  private readonly plans = new Map<string, ReadPlan>();
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly hooks: CommitHooks,
    /** Told what the database said when it failed; callers get a plain `unavailable`. */
    private readonly onError: (error: unknown) => void = () => {},
    private readonly maxUnits = 256,
  ) {}

  run<T>(scope: string, now: Date, work: (tx: Tx) => Promise<T>, reads?: UnitReads): Promise<T> {
    if (this.closed) return Promise.reject(new DomainError('unavailable', 'store_closed', 'The store is shutting down'));
    return new Promise<T>((resolve, reject) => {
      let queue = this.queues.get(scope);
      if (!queue) this.queues.set(scope, (queue = []));
      queue.push({ now, work, reads, resolve: resolve as (value: unknown) => void, reject });
      if (!this.running.has(scope)) this.running.set(scope, this.drain(scope, queue));
    });
  }

  /** Takes no more units and waits for every accepted one to be answered. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  private async drain(scope: string, queue: Unit[]): Promise<void> {
    try {
      while (queue.length > 0) await this.batch(scope, queue);
    } finally {
      this.queues.delete(scope);
      this.running.delete(scope);
    }
  }

  /** Kept for the scopes written last: a burst's batches share a plan, and a quiet scope's goes. */
  private remember(scope: string, plan: ReadPlan): void {
    this.plans.delete(scope);
    this.plans.set(scope, plan);
    if (this.plans.size > KEPT_PLANS) this.plans.delete(this.plans.keys().next().value!);
  }

  private async batch(scope: string, queue: Unit[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      this.onError(error);
      for (const unit of queue.splice(0)) unit.reject(notSaved());
      return;
    }
    // A connection that breaks while checked out reports it here too; the failing query says the rest.
    const ignore = () => {};
    client.on('error', ignore);
    const outcomes: Outcome[] = [];
    let changes: Invalidation[] = [];
    let committing = false;
    let plan: ReadPlan | undefined;
    try {
      const reads = new TxReads(client);
      plan = reads.plan;
      // What the last batch of the scope read and the queued units' users, read once the lock is
      // granted, in the round trip that asks for it: under the lock, every round trip is the other
      // instances' wait too.
      const prelude = reads.prelude(this.plans.get(scope), named(queue.slice(0, this.maxUnits)));
      const results = (await client.query(
        `BEGIN; SELECT pg_advisory_xact_lock(hashtextextended(${client.escapeLiteral(scope)}, 0));\n${prelude.sql}`,
      )) as unknown as pg.QueryResult[];
      prelude.take(results.slice(2));
      const batch = new Overlay(reads);
      const writes = new BatchWrites();
      const made: Change[] = [];
      while (queue.length > 0 && outcomes.length < this.maxUnits) {
        // Units that joined since the last read name their users: read them all at once, so
        // that a batch of awards costs one read of users, not one round trip each under the lock.
        const wanted = queue[0]!.reads;
        if (wanted && !reads.knows(wanted)) await reads.readAhead(named(queue.slice(0, this.maxUnits - outcomes.length)));
        const unit = queue.shift()!;
        const tx = new Overlay(batch, unit.now);
        try {
          outcomes.push({ unit, ok: true, value: await unit.work(tx) });
        } catch (error) {
          outcomes.push({ unit, ok: false, error });
        }
        if (reads.failure) throw reads.failure;
        if (!outcomes.at(-1)!.ok) continue;
        for (const change of tx.changes) batch.put(change);
        writes.add(tx.changes);
        made.push(...tx.changes);
      }
      changes = invalidations(made);
      if (writes.size > 0) for (const statement of writes.statements(this.hooks.payloads(changes))) await client.query(statement);
      committing = true;
      const commit = await client.query('COMMIT');
      committing = false;
      // PostgreSQL answers COMMIT of a failed transaction with ROLLBACK, not an error.
      if (commit.command !== 'COMMIT') throw new Error('the transaction was rolled back');
    } catch (error) {
      // The connection is in an unknown state: destroy it rather than return it to the pool.
      client.off('error', ignore);
      client.release(error instanceof Error ? error : new Error(String(error)));
      this.onError(error);
      // A connection lost during COMMIT leaves the outcome unknown; before it, nothing was saved.
      for (const { unit } of outcomes) unit.reject(committing ? maybeSaved() : notSaved());
      // Failed before taking any unit (the lock's round trip): the queued units fail, rather than
      // a next batch trying again at once, for as long as the database fails.
      if (outcomes.length === 0) for (const unit of queue.splice(0, this.maxUnits)) unit.reject(notSaved());
      return;
    }
    client.off('error', ignore);
    client.release();
    this.remember(scope, plan!);
    try {
      this.hooks.committed(changes);
    } catch (error) {
      // A subscriber that throws must not undo what is durable, nor leave its units unanswered.
      this.onError(error);
    }
    for (const outcome of outcomes) {
      if (outcome.ok) outcome.unit.resolve(outcome.value);
      else outcome.unit.reject(outcome.error);
    }
  }
}
