import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidations, type Change } from '../../core/changes.js';
import { conflict, DomainError, notFound } from '../../core/errors.js';
import { isHidden } from '../../core/rules/services.js';
import type { BadgeRecord, UserRecord } from '../../core/model.js';
import { Overlay } from '../../core/overlay.js';
import type { BoardCursor, BoardPeriod, HolderCursor } from '../../core/standings.js';
import type { SortKey } from '../../../types/api.js';
import type { DueExcept, ItemCount, ItemQuery, ListUsersOptions, Queries, Store, Tx, UserPlace } from '../../core/ports.js';
import { LocalFeed } from '../local.js';
import { removeLeftovers, removeLeftoversOf } from './durable-file.js';
import { refusal } from './errors.js';
import { Journal, type Dropped, type OpenSegment } from './journal.js';
import { acquireLock } from './lock.js';
import { keepPrivate } from './permissions.js';
import { DurableReplays } from './replays.js';
import { Snapshots, type Line } from './snapshots.js';
import { State } from './state.js';
import { YieldingReads } from './yielding-reads.js';

export interface LowdbStoreOptions {
  /** The main lowdb file; users and the journal live in a folder beside it (`db.json` -> `db.d/`). */
  file?: string;
  /** Journal size that starts a checkpoint. */
  checkpointBytes?: number;
  /**
   * Called when storage fails. `writesRefused`: the journal could not be written; the writes in
   * flight failed with nothing of them applied, and writes are refused until it recovers, while
   * reads go on. Otherwise a background checkpoint failed and is retried later (the journal holds
   * every change).
   */
  onError?: (error: unknown, writesRefused: boolean) => void;
  /** Called when writes are accepted again after a journal failure. */
  onRecover?: () => void;
  /** Called at start with what journal recovery dropped (torn lines), if anything. */
  onDropped?: (dropped: Dropped[]) => void;
  /** How often a failed journal checks whether it can write again (ms). */
  retryMs?: number;
  /** Opens journal segments; fault tests wrap the real file to fail on cue. */
  openSegment?: OpenSegment;
}

/**
 * The embedded store. Reads are answered from memory and see only what is durable. A unit of work
 * runs against memory plus the changes of units still on their way to disk (an overlay), so units
 * never wait for each other's fsync; its changes are appended to the journal and, once fsynced,
 * applied to memory and acknowledged. Checkpoints write the changed parts to lowdb files in the
 * background and drop the journal they cover. Safe in one process only, like lowdb itself.
 */
export class LowdbStore implements Store {
  private readonly state = new State();
  /** Changes appended to the journal and not yet durable, over the durable state. */
  private pending = new Overlay(this.state);
  /**
   * Units of one scope (a service) run one at a time: a unit's reads and its place in the journal
   * must agree. Units of different scopes read and write disjoint records, so they run side by side:
   * a long unit of one service (a backfill step, a large batch) never holds another's writes.
   */
  private readonly turns = new Map<string, Promise<void>>();
  /** Units from their turn until they are applied (or refused): a snapshot waits for these. */
  private readonly units = new Set<Promise<void>>();
  /** Set while a snapshot reads: no unit takes its turn meanwhile. */
  private gate: Promise<void> | null = null;
  readonly feed = new LocalFeed();
  private journal: Journal<Line> | null = null;
  private readonly folder: string | null;
  private readonly snapshots: Snapshots | null;
  private checkpointing: Promise<void> | null = null;
  private nextCheckpoint: Promise<void> | null = null;
  private closed = false;
  private unlock: (() => Promise<void>) | null = null;
  /** On a file: the replay memory of signed requests, kept across restarts (see replays.ts). */
  replays?: DurableReplays;

  private constructor(private readonly options: LowdbStoreOptions) {
    this.folder = options.file ? options.file.replace(/\.json$/, '') + '.d' : null;
    this.snapshots = this.folder ? new Snapshots(this.folder, options.file!, this.state) : null;
  }

  static async open(options: LowdbStoreOptions = {}): Promise<LowdbStore> {
    const store = new LowdbStore(options);
    await store.load();
    return store;
  }

  private async load(): Promise<void> {
    if (!this.options.file || !this.folder) return;
    const fresh = !existsSync(this.folder) && !existsSync(this.options.file);
    // Keys are kept in clear (HMAC needs them): only the server's user may read the data.
    await keepPrivate(this.options.file, this.folder);
    this.unlock = await acquireLock(join(this.folder, 'lock'));
    try {
      await this.loadFiles();
      this.replays = await DurableReplays.open(join(this.folder, 'replays'), { fresh, onError: (error) => this.options.onError?.(error, false) });
    } catch (error) {
      await this.unlock();
      throw error;
    }
  }

  private async loadFiles(): Promise<void> {
    const folder = this.folder!;
    const file = this.options.file!;
    await removeLeftoversOf(file);
    // Every service's folder, not only those db.json lists: a kill before the first checkpoint that
    // lists a service finished leaves its shards' temporary files too, and they take disk space.
    for (const service of await readdir(join(folder, 'users')).catch(() => [] as string[])) {
      const shards = join(folder, 'users', service);
      await removeLeftovers(shards, await readdir(shards).catch(() => [] as string[]));
    }
    const { main, repair } = await this.snapshots!.load((changes) => this.applyAll(changes, false));
    const { journal, segments, dropped } = await Journal.open<Line>(join(folder, 'journal'), (changes) => this.applyAll(changes, true), {
      retryMs: this.options.retryMs,
      openSegment: this.options.openSegment,
      // The journal fails the batch and every line queued behind it; units computed over them go
      // too, and units from now on start again from what is durable.
      onFailure: (error) => {
        this.pending = new Overlay(this.state);
        this.options.onError?.(error, true);
      },
      onRecover: () => this.options.onRecover?.(),
    });
    if (dropped.length > 0) this.options.onDropped?.(dropped);
    this.journal = journal;
    // A journal left by a crash is folded into the snapshots now, so it does not grow without end;
    // files a crash tore or an older version wrote are replaced now too.
    if (segments > 0 || !main || repair) this.scheduleCheckpoint(true);
  }

  // Reads, from memory, which holds only what is durable: they go on while the journal refuses writes.

  private serviceState(name: string) {
    const service = this.state.services.get(name);
    if (!service) throw notFound('service_not_found', `Service "${name}" does not exist`);
    return service;
  }

  async getService(name: string) {
    return this.state.services.get(name)?.record;
  }
  async listServices() {
    return [...this.state.services.values()].map((s) => s.record).filter((record) => !isHidden(record.name));
  }
  async listBadges(service: string) {
    return [...this.serviceState(service).badges.values()];
  }
  async getBadges(service: string, names: Iterable<string>) {
    const badges = this.serviceState(service).badges;
    const found: BadgeRecord[] = [];
    for (const name of names) {
      const badge = badges.get(name);
      if (badge) found.push(badge);
    }
    return found;
  }
  async getUser(service: string, name: string) {
    return this.serviceState(service).users.get(name);
  }
  async getUsers(service: string, names: readonly string[]) {
    const users = this.serviceState(service).users;
    return names.map((name) => users.get(name)).filter((user): user is UserRecord => user !== undefined);
  }
  async listUsers(service: string, { sort = 'name', offset, limit }: ListUsersOptions) {
    return this.state.pageOfUsers(this.serviceState(service), sort, offset, limit);
  }
  async usersAfter(service: string, after: string | null, limit: number) {
    return this.state.usersAfter(this.serviceState(service), after, limit);
  }
  async usersPage(service: string, sort: SortKey, after: UserPlace | null, limit: number) {
    return this.state.usersPage(this.serviceState(service), sort, after, limit);
  }
  async board(service: string, { period, start, badge }: { period: BoardPeriod; start: string; badge?: string }, after: BoardCursor | null, limit: number) {
    return this.state.boardsOf(this.serviceState(service)).board(period, start, badge, after, limit);
  }
  async holdersPage(service: string, badge: string, after: HolderCursor | null, limit: number) {
    return this.state.boardsOf(this.serviceState(service)).holders(badge, after, limit);
  }
  async getItem(service: string, kind: string, id: string) {
    return this.serviceState(service).items.get(kind)?.get(id);
  }
  async listItems(service: string, kind: string, query: ItemQuery & { offset?: number }) {
    return this.serviceState(service).items.get(kind)?.select(query) ?? [];
  }
  async countItems(service: string, kind: string, query: ItemCount) {
    return this.serviceState(service).items.get(kind)?.count(query) ?? 0;
  }
  async itemKinds(service: string) {
    return [...this.serviceState(service).items].filter(([, index]) => index.size > 0).map(([kind]) => kind).sort();
  }
  async dueItems(kind: string, before: string, limit: number, except?: DueExcept) {
    return this.state.dueItems(kind, before, limit, except);
  }
  async listItemsOfSubjects(service: string, subjects: readonly string[]) {
    this.serviceState(service);
    return this.state.itemsOfSubjects(service, subjects);
  }

  // Writes.

  /** Waits for the scope's turn; answers what gives it to the next unit. */
  private async turnOf(scope: string): Promise<() => void> {
    let release!: () => void;
    const previous = this.turns.get(scope);
    const turn = new Promise<void>((resolve) => (release = resolve));
    this.turns.set(scope, turn);
    await previous;
    return () => {
      release();
      if (this.turns.get(scope) === turn) this.turns.delete(scope);
    };
  }

  /**
   * The turns of `scopes` (in a fixed order, so two callers cannot wait on each other), once no
   * snapshot reads; the unit counts as under way until `done` is called, and a snapshot that starts
   * meanwhile waits for it. `release` gives the turns to the next unit of the scopes.
   */
  private async enter(scopes: readonly string[]): Promise<{ release: () => void; done: () => void }> {
    for (;;) {
      while (this.gate) await this.gate;
      const releases: (() => void)[] = [];
      for (const scope of [...new Set(scopes)].sort()) releases.push(await this.turnOf(scope));
      const release = () => releases.forEach((give) => give());
      // A snapshot began while this waited for its turn: it goes first, and the turn is taken again after it.
      if (this.gate) {
        release();
        continue;
      }
      let done!: () => void;
      const unit = new Promise<void>((resolve) => (done = resolve));
      this.units.add(unit);
      return { release, done: () => (this.units.delete(unit), done()) };
    }
  }

  async run<T>(scope: string, now: Date, work: (tx: Tx) => Promise<T>): Promise<T> {
    const { release, done } = await this.enter([scope]);
    try {
      let result: T;
      let changes: [string, Change][];
      const pending = this.pending;
      try {
        if (this.closed) throw new DomainError('unavailable', 'store_closed', 'The store is shutting down');
        // Refused before anything is computed; the journal says when it takes writes again.
        if (this.journal?.failed) throw refusal(this.journal.failed);
        const tx = new Overlay(new YieldingReads(pending), now);
        result = await work(tx);
        changes = tx.keyedChanges;
        for (const [key, change] of changes) pending.adopt(key, change);
      } finally {
        release();
      }
      // Between its turn and being applied, a unit is landing: a snapshot still waits for it.
      if (changes.length > 0) await this.land(changes, pending);
      return result;
    } finally {
      done();
    }
  }

  /** Journals a unit's changes (with their keys in `pending`), then applies them. */
  private async land(keyed: [string, Change][], pending: Overlay): Promise<void> {
    const changes = keyed.map(([, change]) => change);
    if (this.journal) {
      try {
        await this.journal.append(changes);
      } catch (error) {
        if (this.pending === pending) this.pending = new Overlay(this.state);
        throw refusal(error);
      }
    }
    this.applyAll(changes, true);
    for (const [key, change] of keyed) pending.forget(change, key);
    for (const invalidation of invalidations(changes)) this.feed.publish(invalidation);
    if (this.journal && !this.closed && this.journal.size >= (this.options.checkpointBytes ?? 8 * 1024 * 1024)) this.scheduleCheckpoint(false);
  }

  /**
   * Closes the gate, so no unit takes its turn, and waits for the units under way (those of every
   * service, running side by side) to be applied or refused: the reads then see one moment, no unit
   * half applied. One snapshot at a time.
   */
  async snapshot<T>(work: (view: Queries) => Promise<T>): Promise<T> {
    while (this.gate) await this.gate;
    let open!: () => void;
    this.gate = new Promise<void>((resolve) => (open = resolve));
    try {
      await Promise.allSettled([...this.units]);
      return await work(this);
    } finally {
      this.gate = null;
      open();
    }
  }

  /**
   * Holds both names' turns until the rename is durable and applied, so no unit of either reads it
   * half done: it never passes through the overlay of what is on its way to disk.
   */
  async renameService(from: string, to: string): Promise<void> {
    const { release, done } = await this.enter([from.toLowerCase(), to.toLowerCase()]);
    try {
      if (this.closed) throw new DomainError('unavailable', 'store_closed', 'The store is shutting down');
      if (this.journal?.failed) throw refusal(this.journal.failed);
      if (!this.state.services.has(from)) throw notFound('service_not_found', `Service "${from}" does not exist`);
      const clash = await this.state.serviceIgnoringCase(to);
      if (clash) throw conflict('service_exists', `Service "${clash.name}" exists already`);
      const line: Line[] = [{ t: 'service~', from, to }];
      if (this.journal) await this.journal.append(line).catch((error) => Promise.reject(refusal(error)));
      this.applyAll(line, true);
      this.feed.publish({ service: from, all: true });
      this.feed.publish({ service: to, all: true });
    } finally {
      release();
      done();
    }
  }

  private applyAll(changes: Line[], markDirty: boolean): void {
    for (const change of changes) {
      this.snapshots?.track(change, markDirty);
      if (change.t === 'service~') this.state.rename(change.from, change.to);
      else this.state.apply(change);
    }
  }

  private scheduleCheckpoint(all: boolean): void {
    if (all) this.snapshots?.touchMain();
    this.checkpoint().catch((error) => this.options.onError?.(error, false));
  }

  /** Nothing to do: reads go to indexes in memory, built as the data is loaded. */
  async settle(): Promise<void> {}

  /**
   * Writes every changed part to its lowdb file, then drops the journal segments they cover: once it
   * resolves, what units removed is in no file of the store (an erasure forces one).
   */
  checkpoint(): Promise<void> {
    if (!this.journal || !this.folder) return Promise.resolve();
    if (this.checkpointing) {
      // The running one took its list of changed parts already: run once more after it.
      this.nextCheckpoint ??= this.checkpointing
        .catch(() => {})
        .then(() => {
          this.nextCheckpoint = null;
          return this.checkpoint();
        });
      return this.nextCheckpoint;
    }
    this.checkpointing = this.runCheckpoint().finally(() => (this.checkpointing = null));
    return this.checkpointing;
  }

  /**
   * Runs `work` when no checkpoint is writing, in a checkpoint's place: one asked for meanwhile (by
   * a unit that was under way when the store began to close) waits for it. The start image is taken
   * so: its columns and its files' stats in one step, and any file written after that no longer
   * matches it.
   */
  private async betweenCheckpoints<T>(work: () => Promise<T>): Promise<T> {
    while (this.checkpointing || this.nextCheckpoint) await (this.nextCheckpoint ?? this.checkpointing)!.catch(() => {});
    const running = work();
    this.checkpointing = running.then(
      () => {},
      () => {},
    ).finally(() => (this.checkpointing = null));
    return running;
  }

  private async runCheckpoint(): Promise<void> {
    const journal = this.journal!;
    if (journal.failed) return;
    const sealed = await journal.seal();
    // Taken in one synchronous step: every request is in it whole or not at all.
    const snapshot = this.snapshots!.take();
    try {
      await this.snapshots!.write(snapshot);
      await journal.removeUpTo(sealed);
    } catch (error) {
      snapshot.undo();
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.journal) return;
    await (this.nextCheckpoint ?? this.checkpointing)?.catch(() => {});
    try {
      await this.replays?.close();
      // On a full disk this fails; the journal still holds every change, for the next start.
      if (!this.journal.failed) {
        await this.checkpoint();
        // The next start reads the item indexes from one file instead of every item's line. Losing
        // it (a full disk) costs that start its time, nothing else.
        await this.betweenCheckpoints(() => this.snapshots!.writeImage()).catch(() => false);
      }
    } finally {
      await this.journal.close();
      this.snapshots?.close();
      await this.unlock?.();
    }
  }
}
