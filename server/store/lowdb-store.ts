import { mkdir, readdir, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Low } from 'lowdb';
import { SERVICE_NAME } from '../../types/api.js';
import { HttpError } from '../errors.js';
import { DurableJSONFile } from './durable-file.js';
import { Journal } from './journal.js';
import { acquireLock } from './lock.js';
import { State, type Change } from './state.js';
import type { BadgeInput, BadgeRecord, ListUsersOptions, Quota, ServiceRecord, ServiceSettings, Store, UserRecord } from './types.js';

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
   * Called when storage fails. `fatal`: the journal could not be written, and the store refuses all
   * work until restarted; otherwise a background checkpoint failed and is retried later (the
   * journal still holds every change).
   */
  onError?: (error: unknown, fatal: boolean) => void;
  clock?: () => Date;
}

/**
 * The embedded store. Reads are answered from memory. A write is applied in memory at once (so
 * concurrent writes never lose updates), appended to the journal, and acknowledged when the journal
 * is fsynced. Checkpoints write the changed parts to lowdb files in the background and drop the
 * journal they cover. Safe in one process only, like lowdb itself.
 */
export class LowdbStore implements Store {
  private readonly state = new State();
  private journal: Journal | null = null;
  private readonly folder: string | null;
  private mainDirty = false;
  private readonly dirtyShards = new Set<string>();
  /** Services deleted since the last checkpoint: their user files go before any shard is written. */
  private readonly deletedServices = new Set<string>();
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
      this.applyAll([{ t: 'service', v: service }, ...badges.map((v): Change => ({ t: 'badge', s: service.name, v }))], false);
      const shards = join(folder, 'users', service.name);
      const files = await readdir(shards).catch(() => [] as string[]);
      await removeLeftovers(shards, files);
      for (const file of files.filter((f) => /^\d+\.json$/.test(f))) {
        const shard = await new DurableJSONFile<ShardFile>(join(shards, file)).read();
        this.applyAll((shard?.users ?? []).map((v): Change => ({ t: 'user', s: service.name, v })), false);
      }
    }
    const { journal, segments } = await Journal.open(join(folder, 'journal'), (changes) => this.applyAll(changes, true));
    this.journal = journal;
    // A journal left by a crash is folded into the snapshots now, so it does not grow without end.
    if (segments > 0 || !main) this.scheduleCheckpoint(true);
  }

  // Reads. After a failed journal write memory holds a change that is not saved: nothing is answered
  // from it, so that a restart (which replays only what was saved) is the only way on.

  private live(): State {
    const failure = this.journal?.failed;
    if (failure) throw new HttpError(503, 'store_failed', `Storage failed; restart the server (${failure.message})`);
    return this.state;
  }

  async getService(name: string) {
    return this.live().services.get(name)?.record;
  }
  async listServices() {
    return [...this.live().services.values()].map((s) => s.record);
  }
  async listBadges(service: string) {
    return [...this.live().service(service).badges.values()];
  }
  async getBadges(service: string, names: Iterable<string>) {
    const badges = this.live().service(service).badges;
    const found: BadgeRecord[] = [];
    for (const name of names) {
      const badge = badges.get(name);
      if (badge) found.push(badge);
    }
    return found;
  }
  async getUser(service: string, name: string) {
    return this.live().service(service).users.get(name);
  }
  async getUsers(service: string, names: string[]) {
    const users = this.live().service(service).users;
    return names.map((name) => users.get(name)).filter((user): user is UserRecord => user !== undefined);
  }
  async listUsers(service: string, { sort = 'name', offset, limit }: ListUsersOptions) {
    return this.state.pageOfUsers(this.live().service(service), sort, offset, limit);
  }

  // Writes: compute the changes (which validates), apply them, then wait until they are durable.

  async createService(name: string, key: string, settings?: ServiceSettings) {
    if (!SERVICE_NAME.test(name)) {
      throw new HttpError(400, 'invalid_service_name', 'A service name is 1-64 letters, digits, "_" or "-", starting with a letter or digit');
    }
    // Services share a folder name on case-insensitive file systems (macOS, Windows) otherwise.
    const clash = [...this.live().services.keys()].find((other) => other !== name && other.toLowerCase() === name.toLowerCase());
    if (clash) throw new HttpError(409, 'service_exists', `Service "${clash}" exists; names may not differ only in case`);
    await this.commit(this.state.createService(name, key, this.clock(), settings));
    return this.state.service(name).record;
  }
  async setServiceKey(name: string, key: string) {
    await this.commit(this.state.setServiceKey(name, key));
    return this.state.service(name).record;
  }
  async configureService(name: string, settings: ServiceSettings) {
    await this.commit(this.state.configureService(name, settings));
    return this.state.service(name).record;
  }
  async deleteService(name: string) {
    await this.commit(this.state.deleteService(name));
  }
  async putBadges(service: string, badges: BadgeInput[], quota?: Quota) {
    await this.commit(this.state.putBadges(service, badges, this.clock(), quota));
    return this.listBadges(service);
  }
  async deleteBadges(service: string, names: string[]) {
    // Worked out in the same synchronous step as the change, so no other write falls in between.
    const absent = this.state.absentBadges(service, names);
    await this.commit(this.state.deleteBadges(service, names));
    return { badges: await this.listBadges(service), absent };
  }
  async award(service: string, user: string, badges: string[], at: Date, quota?: Quota) {
    await this.commit(this.state.award(service, user, badges, at, quota));
    return this.state.service(service).users.get(user)!;
  }
  async revoke(service: string, user: string, badges: string[]) {
    const absent = this.state.absentAwards(service, user, badges);
    await this.commit(this.state.revoke(service, user, badges));
    return { user: this.state.service(service).users.get(user), absent };
  }

  private async commit(changes: Change[]): Promise<void> {
    if (this.closed) throw new HttpError(503, 'store_closed', 'The store is shutting down');
    this.live();
    this.applyAll(changes, true);
    if (!this.journal) return;
    try {
      await this.journal.append(changes);
    } catch (error) {
      this.options.onError?.(error, true);
      throw new HttpError(503, 'store_failed', `Storage failed; the change may not be saved (${(error as Error).message})`);
    }
    if (!this.closed && this.journal.size >= (this.options.checkpointBytes ?? 8 * 1024 * 1024)) this.scheduleCheckpoint(false);
  }

  private applyAll(changes: Change[], markDirty: boolean): void {
    for (const change of changes) {
      this.state.apply(change);
      if (change.t === 'user') {
        const shard = shardOf(change.v.name);
        let members = this.shardMembers.get(change.s);
        if (!members) this.shardMembers.set(change.s, (members = Array.from({ length: SHARDS }, () => new Set<string>())));
        members[shard]!.add(change.v.name);
        if (markDirty) this.dirtyShards.add(`${change.s}\n${shard}`);
      } else if (change.t === 'service-') {
        this.shardMembers.delete(change.n);
        for (const key of this.dirtyShards) if (key.startsWith(`${change.n}\n`)) this.dirtyShards.delete(key);
        this.deletedServices.add(change.n);
        this.mainDirty = true;
      } else if (markDirty) {
        this.mainDirty = true;
      }
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
    // later, between other requests, writes exactly this moment.
    // A key put back by a failed checkpoint may name a service deleted since.
    const keys = [...this.dirtyShards].filter((key) => this.state.services.has(key.slice(0, key.indexOf('\n'))));
    const main = this.mainDirty;
    const deleted = [...this.deletedServices];
    this.dirtyShards.clear();
    this.deletedServices.clear();
    this.mainDirty = false;
    const shards = keys.map((key) => {
      const [service, index] = key.split('\n') as [string, string];
      const users = this.state.service(service).users;
      return { service, index: Number(index), users: [...this.shardMembers.get(service)![Number(index)]!].map((name) => users.get(name)!) };
    });
    const services = main ? [...this.state.services.values()].map((s) => ({ ...s.record, badges: [...s.badges.values()] })) : null;
    try {
      // Before the shards: a service deleted and created again must not find the old users' files.
      // Until the main file is written the journal still holds the deletion, so a crash here is safe.
      for (const service of deleted) await rm(join(this.folder!, 'users', service), { recursive: true, force: true });
      for (const shard of shards) {
        await this.writeShard(shard.service, shard.index, shard.users);
        // One shard at a time, with the event loop free between them for requests.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (services) await this.writeMain(services);
      await journal.removeUpTo(sealed);
    } catch (error) {
      for (const key of keys) this.dirtyShards.add(key);
      for (const service of deleted) this.deletedServices.add(service);
      this.mainDirty ||= main;
      throw error;
    }
  }

  private async writeShard(service: string, index: number, users: UserRecord[]): Promise<void> {
    const folder = join(this.folder!, 'users', service);
    await mkdir(folder, { recursive: true });
    const db = new Low<ShardFile>(new DurableJSONFile(join(folder, `${String(index).padStart(2, '0')}.json`)), { users: [] });
    db.data = { users };
    await db.write();
  }

  private async writeMain(services: MainFile['services']): Promise<void> {
    await mkdir(this.folder!, { recursive: true });
    const db = new Low<MainFile>(new DurableJSONFile(this.options.file!), { format: 1, services: [] });
    db.data = { format: 1, services };
    await db.write();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.journal) return;
    await (this.nextCheckpoint ?? this.checkpointing)?.catch(() => {});
    if (!this.journal.failed) await this.checkpoint();
    await this.journal.close();
    await this.unlock?.();
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
