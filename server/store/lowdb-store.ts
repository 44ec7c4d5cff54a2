import { mkdir, readdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Low } from 'lowdb';
import { SERVICE_NAME } from '../../types/api.js';
import { HttpError } from '../errors.js';
import { DurableJSONFile } from './durable-file.js';
import { Journal, type Dropped, type OpenSegment } from './journal.js';
import { acquireLock } from './lock.js';
import { PendingChanges } from './pending.js';
import { keepPrivate } from './permissions.js';
import { State, type Change } from './state.js';
import type { BadgeInput, BadgeRecord, ListUsersOptions, ServiceRecord, Store, UserRecord } from './types.js';

/** Users of a service are spread over this many snapshot files, so a checkpoint rewrites small files. */
const SHARDS = 64;

interface MainFile {
  format: 1;
  services: (ServiceRecord & { badges: BadgeRecord[] })[];
}
interface ShardFile {
  users: UserRecord[];
}

export interface LowdbStoreOptions {
  /** The main lowdb file; users and the journal live in a folder beside it (`db.json` -> `db.d/`). */
  file?: string;
  /** Journal size that starts a checkpoint. */
  checkpointBytes?: number;
  /**
   * Called when storage fails. `writesRefused`: the journal could not be written; the writes in
   * flight were taken back and writes are refused (StorageError) until it recovers, while reads go
   * on. Otherwise a background checkpoint failed and is retried later (the journal holds every change).
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
  clock?: () => Date;
}

/**
 * The embedded store. Reads are answered from memory. A write is applied in memory at once (so
 * concurrent writes never lose updates), appended to the journal, and acknowledged when the journal
 * is fsynced. If the journal cannot write, the write and every one in flight behind it are taken back
 * from memory (see pending.ts) and fail with a StorageError; writes are refused until the journal
 * recovers, reads go on. Checkpoints write the durable parts to lowdb files in the background and
 * drop the journal they cover. Safe in one process only, like lowdb itself.
 */
export class LowdbStore implements Store {
  private readonly state = new State();
  private readonly pending = new PendingChanges(this.state);
  private journal: Journal | null = null;
  private readonly folder: string | null;
  private mainDirty = false;
  private readonly dirtyShards = new Set<string>();
  /** service -> shard -> user names, so a checkpoint serialises a shard without scanning everyone. */
  private readonly shardMembers = new Map<string, Set<string>[]>();
  private checkpointing: Promise<void> | null = null;
  private nextCheckpoint: Promise<void> | null = null;
  private closed = false;
  private unlock: (() => Promise<void>) | null = null;
  private readonly clock: () => Date;

  private constructor(private readonly options: LowdbStoreOptions) {
    this.folder = options.file ? options.file.replace(/\.json$/, '') + '.d' : null;
    this.clock = options.clock ?? (() => new Date());
  }

  static async open(options: LowdbStoreOptions = {}): Promise<LowdbStore> {
    const store = new LowdbStore(options);
    await store.load();
    return store;
  }

  private async load(): Promise<void> {
    if (!this.options.file || !this.folder) return;
    // Keys are kept in clear (HMAC needs them): only the server's user may read the data.
    await keepPrivate(this.options.file, this.folder);
    this.unlock = await acquireLock(join(this.folder, 'lock'));
    try {
      await this.loadFiles();
    } catch (error) {
      await this.unlock();
      throw error;
    }
  }

  private async loadFiles(): Promise<void> {
    const folder = this.folder!;
    const file = this.options.file!;
    await removeLeftovers(dirname(file), (await readdir(dirname(file)).catch(() => [] as string[])).filter((f) => f.startsWith(basename(file) + '.')));
    const main = await new DurableJSONFile<MainFile>(file).read();
    if (main && main.format !== 1) throw new Error(`${this.options.file} has format ${String(main.format)}; this version reads format 1`);
    for (const { badges, ...service } of main?.services ?? []) {
      for (const change of [{ t: 'service', v: service }, ...badges.map((v): Change => ({ t: 'badge', s: service.name, v }))] as Change[]) {
        this.applyOne(change, false);
      }
      const shards = join(folder, 'users', service.name);
      const files = await readdir(shards).catch(() => [] as string[]);
      await removeLeftovers(shards, files);
      for (const file of files.filter((f) => /^\d+\.json$/.test(f))) {
        const shard = await new DurableJSONFile<ShardFile>(join(shards, file)).read();
        for (const v of shard?.users ?? []) this.applyOne({ t: 'user', s: service.name, v }, false);
      }
    }
    const { journal, segments, dropped } = await Journal.open(
      join(folder, 'journal'),
      (changes) => changes.forEach((change) => this.applyOne(change, true)),
      {
        retryMs: this.options.retryMs,
        openSegment: this.options.openSegment,
        onFailure: (error) => {
          this.pending.rollBack();
          this.options.onError?.(error, true);
        },
        onRecover: () => this.options.onRecover?.(),
      },
    );
    if (dropped.length > 0) this.options.onDropped?.(dropped);
    this.journal = journal;
    // A journal left by a crash is folded into the snapshots now, so it does not grow without end.
    if (segments > 0 || !main) this.scheduleCheckpoint(true);
  }

  // Reads, from memory: they go on while the journal refuses writes.

  async getService(name: string) {
    return this.state.services.get(name)?.record;
  }
  async listServices() {
    return [...this.state.services.values()].map((s) => s.record);
  }
  async listBadges(service: string) {
    return [...this.state.service(service).badges.values()];
  }
  async getBadges(service: string, names: Iterable<string>) {
    const badges = this.state.service(service).badges;
    const found: BadgeRecord[] = [];
    for (const name of names) {
      const badge = badges.get(name);
      if (badge) found.push(badge);
    }
    return found;
  }
  async getUser(service: string, name: string) {
    return this.state.service(service).users.get(name);
  }
  async getUsers(service: string, names: string[]) {
    const users = this.state.service(service).users;
    return names.map((name) => users.get(name)).filter((user): user is UserRecord => user !== undefined);
  }
  async listUsers(service: string, { sort = 'name', offset, limit }: ListUsersOptions) {
    return this.state.pageOfUsers(this.state.service(service), sort, offset, limit);
  }

  // Writes: compute the changes (which validates), apply them, then wait until they are durable.

  async createService(name: string, key: string) {
    if (!SERVICE_NAME.test(name)) {
      throw new HttpError(400, 'invalid_service_name', 'A service name is 1-64 letters, digits, "_" or "-", starting with a letter or digit');
    }
    // Services share a folder name on case-insensitive file systems (macOS, Windows) otherwise.
    const clash = [...this.state.services.keys()].find((other) => other !== name && other.toLowerCase() === name.toLowerCase());
    if (clash) throw new HttpError(409, 'service_exists', `Service "${clash}" exists; names may not differ only in case`);
    await this.commit(this.state.createService(name, key, this.clock()));
    return this.state.service(name).record;
  }
  async setServiceKey(name: string, key: string) {
    await this.commit(this.state.setServiceKey(name, key));
    return this.state.service(name).record;
  }
  async putBadges(service: string, badges: BadgeInput[]) {
    await this.commit(this.state.putBadges(service, badges, this.clock()));
    return this.listBadges(service);
  }
  async deleteBadges(service: string, names: string[]) {
    await this.commit(this.state.deleteBadges(service, names));
    return this.listBadges(service);
  }
  async award(service: string, user: string, badges: string[], at: Date) {
    await this.commit(this.state.award(service, user, badges, at));
    return this.state.service(service).users.get(user)!;
  }
  async revoke(service: string, user: string, badges: string[]) {
    await this.commit(this.state.revoke(service, user, badges));
    return this.state.service(service).users.get(user)!;
  }

  private async commit(changes: Change[]): Promise<void> {
    if (this.closed) throw new HttpError(503, 'store_closed', 'The store is shutting down');
    const journal = this.journal;
    if (!journal) return changes.forEach((change) => this.applyOne(change, true));
    // Refused before anything is applied; the journal says when it takes writes again.
    if (journal.failed) throw journal.failed;
    const id = this.pending.apply(changes, (change) => this.applyOne(change, true));
    // On failure the journal's onFailure has taken these changes back before this rejects.
    await journal.append(changes, () => this.pending.settle(id));
    if (!this.closed && journal.size >= (this.options.checkpointBytes ?? 8 * 1024 * 1024)) this.scheduleCheckpoint(false);
  }

  private applyOne(change: Change, markDirty: boolean): void {
    this.state.apply(change);
    if (change.t === 'user') {
      const shard = shardOf(change.v.name);
      let members = this.shardMembers.get(change.s);
      if (!members) this.shardMembers.set(change.s, (members = Array.from({ length: SHARDS }, () => new Set<string>())));
      members[shard]!.add(change.v.name);
      if (markDirty) this.dirtyShards.add(`${change.s}\n${shard}`);
    } else if (markDirty) {
      this.mainDirty = true;
    }
  }

  private scheduleCheckpoint(all: boolean): void {
    if (all) {
      this.mainDirty = true;
      for (const [service, shards] of this.shardMembers) shards.forEach((m, i) => m.size && this.dirtyShards.add(`${service}\n${i}`));
    }
    this.checkpoint().catch((error) => this.options.onError?.(error, false));
  }

  /** Writes every changed part to its lowdb file, then drops the journal segments they cover. */
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

  private async runCheckpoint(): Promise<void> {
    const journal = this.journal!;
    if (journal.failed) return;
    const sealed = await journal.seal();
    // The snapshot is taken here, in one synchronous step: every request is in it whole or not at
    // all. Records are replaced, never edited, so holding references is enough; serialising them
    // later, between other requests, writes exactly this moment. Only durable changes go in: one
    // still in flight may yet be taken back (it lands in the segment after `sealed` if it is not).
    const durable = this.pending.durable();
    const keys = [...this.dirtyShards];
    const main = this.mainDirty;
    this.dirtyShards.clear();
    this.mainDirty = false;
    // What is left out stays dirty, for the checkpoint after it is durable.
    for (const record of this.pending.touched()) {
      if (record.t === 'user') this.dirtyShards.add(`${record.s}\n${shardOf(record.name)}`);
      else this.mainDirty = true;
    }
    const shards = keys.map((key) => {
      const [service, index] = key.split('\n') as [string, string];
      const names = [...(this.shardMembers.get(service)?.[Number(index)] ?? [])];
      const users = names.map((name) => durable.user(service, name)).filter((user): user is UserRecord => user !== undefined);
      return { service, index: Number(index), users };
    });
    const services = main ? durable.services() : null;
    try {
      for (const shard of shards) {
        await this.writeShard(shard.service, shard.index, shard.users);
        // One shard at a time, with the event loop free between them for requests.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (services) await this.writeMain(services);
      await journal.removeUpTo(sealed);
    } catch (error) {
      for (const key of keys) this.dirtyShards.add(key);
      this.mainDirty ||= main;
      throw error;
    }
  }

  private async writeShard(service: string, index: number, users: UserRecord[]): Promise<void> {
    const folder = join(this.folder!, 'users', service);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const db = new Low<ShardFile>(new DurableJSONFile(join(folder, `${String(index).padStart(2, '0')}.json`)), { users: [] });
    db.data = { users };
    await db.write();
  }

  private async writeMain(services: MainFile['services']): Promise<void> {
    await mkdir(this.folder!, { recursive: true, mode: 0o700 });
    const db = new Low<MainFile>(new DurableJSONFile(this.options.file!), { format: 1, services: [] });
    db.data = { format: 1, services };
    await db.write();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.journal) return;
    await (this.nextCheckpoint ?? this.checkpointing)?.catch(() => {});
    try {
      // On a full disk this fails; the journal still holds every change, for the next start.
      if (!this.journal.failed) await this.checkpoint();
    } finally {
      await this.journal.close();
      await this.unlock?.();
    }
  }
}

/** Temporary files of snapshots that a crash cut short: the files they were to replace are intact. */
async function removeLeftovers(folder: string, files: string[]): Promise<void> {
  for (const file of files) if (file.endsWith('.tmp')) await unlink(join(folder, file)).catch(() => {});
}

/** FNV-1a: stable across runs and machines, so a user stays in the same file. */
function shardOf(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % SHARDS;
}
