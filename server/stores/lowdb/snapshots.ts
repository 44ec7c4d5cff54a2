import { mkdir, readdir, rm, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Low } from 'lowdb';
import type { Change } from '../../core/changes.js';
import type { BadgeRecord, Item, ServiceRecord, UserRecord } from '../../core/model.js';
import { DurableJSONFile, removeLeftovers } from './durable-file.js';
import { fnv1aUnits } from './fnv1a.js';
import { prepareImage, StartImage, writeImage, type ImageKind, type ImageUsers } from './item-image.js';
import { ItemIndex, type Kept } from './item-index.js';
import { LineFiles, type LineFile } from './line-files.js';
import { eachLine, parseLine, readAhead, removalLine, SnapshotFiles, type FileWrite, type Lines, type LinesLanded } from './snapshot-files.js';
import type { State } from './state.js';

/** A journal line's entries: the units' changes, and the store's own renames of services. */
export type Line = Change | { t: 'service~'; from: string; to: string };

/** The start image's file in the data folder (see item-image.ts). */
const IMAGE = 'items.image';

/** Users of a service are spread over this many snapshot files, so a checkpoint touches small files. */
const SHARDS = 64;

interface MainFile {
  format: 1;
  services: (ServiceRecord & { badges: BadgeRecord[] })[];
}
/** The format before snapshot files grew by appending: one JSON document per file, rewritten whole. */
interface LegacyShardFile {
  users: UserRecord[];
}
interface LegacyItemsFile {
  items: Item[];
}

/** What changed in one file since the last checkpoint: the keys, or everything (a rewrite). */
type Dirty = Set<string> | 'all';

/** What a checkpoint writes, taken in one synchronous step so that it is one moment of the data. */
export interface Snapshot {
  main: MainFile['services'] | null;
  files: FileWrite[];
  /** Services whose folders are written whole: files not written are left over and go. */
  whole: Map<string, Set<string>>;
  /** Services that are gone: their folders go once everything else is written. */
  gone: string[];
  /** What to mark dirty again if writing fails. */
  undo: () => void;
}

/**
 * The embedded store's snapshot files: `db.json` (services and badges), each service's users in
 * shards (`users/<service>/NN.jsonl`) and its items by kind and hour
 * (`items/<service>/<kind>/<hour>.jsonl`). It tracks what the applied changes touched, and writes
 * exactly that at a checkpoint (see snapshot-files.ts). Files of the older format (`.json`, one
 * document) are read and replaced.
 */
export class Snapshots {
  private readonly files = new SnapshotFiles();
  /** Where items' lines are, for reading their values back. */
  private readonly lines = new LineFiles();
  private mainDirty = false;
  /** "service\nshard" -> user names changed. */
  private readonly dirtyUsers = new Map<string, Dirty>();
  /** "service\nkind\nhour" -> item ids changed. */
  private readonly dirtyItems = new Map<string, Dirty>();
  /** Item files holding a line of an item since replaced or removed: rewritten whole. */
  private readonly purge = new Set<string>();
  /** Services removed or renamed away since the last checkpoint. */
  private readonly removed = new Set<string>();
  /** Services whose every file is to be written whole: renamed to, or read in the older format. */
  private readonly whole = new Set<string>();
  /**
   * service -> how many users each shard holds: whether a shard's file is worth rewriting. Its
   * members are found when it is (see `take`): a set of names per shard was a second copy of every
   * name, 6 MB at 100,000 users (issue 25).
   */
  private readonly shardSizes = new Map<string, Int32Array>();
  /** The start image, while a start reads the files: the kinds it holds are taken from it. */
  private image: StartImage | null = null;
  /** Whether the users' packer took the image's words: its users can be taken only then. */
  private imagedUsers = false;

  constructor(
    private readonly folder: string,
    private readonly mainFile: string,
    private readonly state: State,
  ) {}

  /**
   * Reads every snapshot file into the state. Answers whether there was a main file at all, and
   * whether files need repair now (a torn line, the older format) rather than at the next change.
   */
  async load(apply: (changes: Line[]) => void): Promise<{ main: boolean; repair: boolean }> {
    const main = await new DurableJSONFile<MainFile>(this.mainFile).read();
    if (main && main.format !== 1) throw new Error(`${this.mainFile} has format ${String(main.format)}; this version reads format 1`);
    this.image = await StartImage.take(join(this.folder, IMAGE), this.folder);
    // Before any user is packed: the image's packed users are in its words.
    this.imagedUsers = this.image?.words ? this.state.restoreUserWords(this.image.words) : false;
    try {
      for (const { badges, ...service } of main?.services ?? []) {
        apply([{ t: 'service', v: service }, ...badges.map((v): Change => ({ t: 'badge', s: service.name, v }))]);
        await this.loadUsers(service.name, apply);
        await this.loadItems(service.name, apply);
      }
    } finally {
      this.image = null;
    }
    return { main: main !== null, repair: this.whole.size > 0 || this.dirtyUsers.size > 0 || this.dirtyItems.size > 0 };
  }

  private async loadUsers(service: string, apply: (changes: Line[]) => void): Promise<void> {
    const folder = join(this.folder, 'users', service);
    // The older whole files first: a crash while replacing them leaves both, and the newer wins.
    const files = await readdir(folder).catch(() => [] as string[]);
    const imaged = files.some((f) => f.endsWith('.json')) || !this.imagedUsers ? null : this.image?.takeUsers(service, files.filter((f) => /^\d+\.jsonl$/.test(f)).map((f) => join(folder, f)));
    if (imaged && this.state.restoreUsers(service, imaged.names, imaged.packed)) {
      for (const { path, lines } of imaged.files) this.files.loaded(path, lines, false);
      for (const name of imaged.names) this.member(service, name, false, true);
      return;
    }
    for (const file of files.filter((f) => /^\d+\.json$/.test(f))) {
      const shard = await new DurableJSONFile<LegacyShardFile>(join(folder, file)).read();
      apply((shard?.users ?? []).map((v): Change => ({ t: 'user', s: service, v })));
      this.whole.add(service);
    }
    for await (const { path, bytes } of readAhead(files.filter((f) => /^\d+\.jsonl$/.test(f)).map((f) => join(folder, f)))) {
      const file = basename(path);
      const changes: Change[] = [];
      let number = 0;
      const read = (await eachLine(path, (line) => {
        const parsed = parseLine<UserRecord>(line, path, ++number);
        if ('record' in parsed) changes.push({ t: 'user', s: service, v: parsed.record });
        else if (this.state.services.get(service)?.users.has(parsed.removed) || changes.length > 0) changes.push({ t: 'user-', s: service, n: parsed.removed });
      }, bytes))!;
      apply(changes);
      this.files.loaded(path, read.lines, read.torn);
      if (read.torn) this.dirtyUsers.set(`${service}\n${Number(file.slice(0, -'.jsonl'.length))}`, 'all');
    }
  }

  private async loadItems(service: string, apply: (changes: Line[]) => void): Promise<void> {
    const folder = join(this.folder, 'items', service);
    for (const kind of await readdir(folder).catch(() => [] as string[])) {
      const files = await readdir(join(folder, kind));
      await removeLeftovers(join(folder, kind), files);
      const imaged = files.some((f) => f.endsWith('.json')) ? null : this.image?.take(service, kind, files.filter((f) => f.endsWith('.jsonl')).map((f) => join(folder, kind, f)));
      if (imaged) {
        this.loadImaged(imaged);
        continue;
      }
      for (const file of files.filter((f) => f.endsWith('.json'))) {
        const part = await new DurableJSONFile<LegacyItemsFile>(join(folder, kind, file)).read();
        apply((part?.items ?? []).map((v): Change => ({ t: 'item', s: service, v })));
        this.whole.add(service);
      }
      for await (const { path, bytes } of readAhead(files.filter((f) => f.endsWith('.jsonl')).map((f) => join(folder, kind, f)))) {
        const file = basename(path);
        const lineFile = this.lines.of(path);
        let number = 0;
        // Straight into the state, values left in the file: nothing here is dirty (track ignores it).
        const read = (await eachLine(path, (line, offset, length) => {
          const parsed = parseLine<Item>(line, path, ++number);
          if ('record' in parsed) this.state.putItem(service, parsed.record, { file: lineFile, offset, length });
          else this.state.apply({ t: 'item-', s: service, k: kind, id: parsed.removed });
        }, bytes))!;
        this.files.loaded(path, read.lines, read.torn);
        if (read.torn) this.dirtyItems.set(itemKey(service, kind, file.slice(0, -'.jsonl'.length)), 'all');
      }
    }
  }

  /**
   * Notes what `change` touches, before the state applies it (an item that moves to another hour
   * leaves the file of its old one). `dirty`: it is not yet in any snapshot file.
   */
  track(change: Line, dirty: boolean): void {
    switch (change.t) {
      case 'service~': {
        const sizes = this.shardSizes.get(change.from);
        this.shardSizes.delete(change.from);
        if (sizes) this.shardSizes.set(change.to, sizes);
        if (dirty) {
          this.mainDirty = true;
          this.removed.add(change.from);
          this.whole.add(change.to);
        }
        return;
      }
      case 'item':
      case 'item-': {
        if (!dirty) return;
        const kind = change.t === 'item' ? change.v.kind : change.k;
        const id = change.t === 'item' ? change.v.id : change.id;
        const before = this.state.itemIndex(change.s, kind)?.atOf(id);
        if (before !== undefined) {
          mark(this.dirtyItems, itemKey(change.s, kind, before), id);
          // The file's older line of this item goes too: an erasure replaces items and must leave no trace.
          this.purge.add(itemKey(change.s, kind, before));
        }
        if (change.t === 'item') mark(this.dirtyItems, itemKey(change.s, kind, change.v.at), id);
        return;
      }
      case 'user':
      case 'user-': {
        const name = change.t === 'user' ? change.v.name : change.n;
        const shard = this.member(change.s, name, this.state.services.get(change.s)?.users.has(name) ?? false, change.t === 'user');
        if (dirty) mark(this.dirtyUsers, `${change.s}\n${shard}`, name);
        return;
      }
      case 'service-':
        this.shardSizes.delete(change.n);
        if (dirty) this.removed.add(change.n);
        if (dirty) this.mainDirty = true;
        return;
      default:
        if (dirty) this.mainDirty = true;
    }
  }

  /** Counts a user who `was` there and now is `present` in their shard; answers the shard. */
  private member(service: string, name: string, was: boolean, present: boolean): number {
    const shard = shardOf(name);
    if (was === present) return shard;
    let sizes = this.shardSizes.get(service);
    if (!sizes) this.shardSizes.set(service, (sizes = new Int32Array(SHARDS)));
    sizes[shard]! += present ? 1 : -1;
    return shard;
  }

  /** The names of a service's users by shard: one pass over them, for the shards a checkpoint rewrites. */
  private shardsOf(service: string): string[][] {
    const shards = Array.from({ length: SHARDS }, () => [] as string[]);
    for (const name of this.state.services.get(service)?.users.keys() ?? []) shards[shardOf(name)]!.push(name);
    return shards;
  }

  /** The main file is written at the next checkpoint (a start without one, or over a journal). */
  touchMain(): void {
    this.mainDirty = true;
  }

  /**
   * What the next checkpoint writes, in one synchronous step. Records are replaced, never edited,
   * so holding references is enough: serialising them later, between other requests, writes
   * exactly this moment.
   */
  take(): Snapshot {
    const state = this.state;
    const dirtyUsers = new Map(this.dirtyUsers);
    const dirtyItems = new Map(this.dirtyItems);
    const removed = new Set(this.removed);
    const whole = new Set(this.whole);
    const mainDirty = this.mainDirty;
    const purge = new Set(this.purge);
    this.purge.clear();
    this.dirtyUsers.clear();
    this.dirtyItems.clear();
    this.removed.clear();
    this.whole.clear();
    this.mainDirty = false;
    // A service removed and created again is written whole, over whatever its folder still holds.
    for (const name of removed) if (state.services.has(name)) whole.add(name);
    const gone = [...removed].filter((name) => !state.services.has(name));
    const files: FileWrite[] = [];
    const written = new Map<string, Set<string>>([...whole].filter((name) => state.services.has(name)).map((name) => [name, new Set<string>()]));
    for (const name of written.keys()) {
      this.shardSizes.get(name)?.forEach((size, shard) => size > 0 && dirtyUsers.set(`${name}\n${shard}`, 'all'));
      for (const [kind, index] of state.services.get(name)!.items) for (const hour of index.hours()) dirtyItems.set(itemKey(name, kind, hour), 'all');
    }
    const shardsOf = new Map<string, string[][]>();
    for (const [key, names] of dirtyUsers) {
      const [service, shard] = key.split('\n') as [string, string];
      const users = state.services.get(service)?.users;
      if (!users) continue;
      const live = this.shardSizes.get(service)?.[Number(shard)] ?? 0;
      const file = join(this.folder, 'users', service, `${shard.padStart(2, '0')}.jsonl`);
      // Each changed user's record as kept (see PackedUsers.packedOf), or their name if they were removed.
      const changed: { packed?: string; name: string }[] = names === 'all' ? [] : [...names].map((name) => ({ packed: users.packedOf(name), name }));
      // What a unit removed (an erasure) must be in no file once the checkpoint is done: not an older line either.
      if (names === 'all' || changed.some((user) => user.packed === undefined)) this.files.mustRewrite(file);
      let records: string[] = [];
      if (this.files.rewrites(file, changed.length, live)) {
        let shards = shardsOf.get(service);
        if (!shards) shardsOf.set(service, (shards = this.shardsOf(service)));
        records = shards[Number(shard)]!.map((name) => users.packedOf(name)!);
      }
      files.push({
        file,
        count: changed.length,
        changed: () => changed.map(({ packed, name }) => (packed === undefined ? removalLine(name) : users.lineOf(packed))),
        live,
        all: () => ({ count: records.length, line: (i) => users.lineOf(records[i]!) }),
      });
      written.get(service)?.add(file);
    }
    for (const [key, ids] of dirtyItems) {
      const [service, kind, hour] = key.split('\n') as [string, string, string];
      if (!state.services.has(service)) continue;
      const index = state.itemIndex(service, kind);
      const file = join(this.folder, 'items', service, kind, `${hour}.jsonl`);
      if (ids === 'all' || purge.has(key)) this.files.mustRewrite(file);
      const count = ids === 'all' ? 0 : ids.size;
      // Every `at` of the hour starts with it, and "\uffff" sorts after anything that can follow.
      const live = index?.count({ from: hour, to: hour + '\uffff' }) ?? 0;
      const rewriting = this.files.rewrites(file, count, live);
      /**
       * The item of each changed line; undefined for a removal, of the id at the same place in
       * `removed`. Not for a file rewritten whole: its lines are those of `kept` (taking both was
       * two objects an item, under ingestion hundreds of thousands, issue 25).
       */
      const changedKept: (Kept | undefined)[] = [];
      const removed: string[] = [];
      if (ids !== 'all' && !rewriting) {
        for (const id of ids) {
          const kept = index?.kept(id);
          const here = kept && kept.at.startsWith(hour) ? kept : undefined;
          changedKept.push(here);
          removed.push(here ? '' : id);
        }
      }
      const kept = rewriting ? (index?.keptRange(hour, hour + '\uffff') ?? []) : [];
      files.push({
        file,
        count,
        changed: () => changedKept.map((k, i) => (k ? k.line(kind) : removalLine(removed[i]!))),
        live,
        all: () => this.linesOf(kind, file, kept),
        places: this.placesOf(file, changedKept, kept),
      });
      written.get(service)?.add(file);
    }
    const main = mainDirty ? [...state.services.values()].map((s) => ({ ...s.record, badges: [...s.badges.values()] })) : null;
    return {
      main,
      files,
      whole: written,
      gone,
      undo: () => {
        for (const [key, dirty] of dirtyUsers) merge(this.dirtyUsers, key, dirty);
        for (const [key, dirty] of dirtyItems) merge(this.dirtyItems, key, dirty);
        for (const name of removed) this.removed.add(name);
        for (const name of whole) this.whole.add(name);
        this.mainDirty ||= mainDirty;
        for (const write of files) this.files.mustRewrite(write.file);
      },
    };
  }

  /**
   * Writes a snapshot: the changed files, one at a time with the event loop free between them for
   * requests; then the main file; then what is left over. Folders of removed services go last, so
   * that a crash before the end leaves their data for the journal's rename or removal to act on.
   */
  async write(snapshot: Snapshot): Promise<void> {
    for (const write of snapshot.files) {
      await this.files.write(write);
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const [service, written] of snapshot.whole) await this.removeUnwritten(service, written);
    if (snapshot.main) await this.writeMain(snapshot.main);
    for (const service of snapshot.gone) {
      for (const area of ['users', 'items']) {
        await rm(join(this.folder, area, service), { recursive: true, force: true });
        this.files.forgetUnder(join(this.folder, area, service) + '/');
        this.lines.forgetUnder(join(this.folder, area, service) + '/');
      }
    }
  }

  /** Files of a service written whole that this checkpoint did not write: older formats, and data of a service of that name before. */
  private async removeUnwritten(service: string, written: Set<string>): Promise<void> {
    const users = join(this.folder, 'users', service);
    const paths = (await readdir(users).catch(() => [] as string[])).map((f) => join(users, f));
    const items = join(this.folder, 'items', service);
    for (const kind of await readdir(items).catch(() => [] as string[])) {
      paths.push(...(await readdir(join(items, kind)).catch(() => [] as string[])).map((f) => join(items, kind, f)));
    }
    for (const path of paths) {
      if (written.has(path) || path.endsWith('.tmp')) continue;
      await unlink(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      this.files.forgetUnder(path);
      this.lines.forgetUnder(path);
    }
  }

  /**
   * The lines of a file rewritten whole: those of items still in it are copied from it, read a batch
   * at a time in a few reads of neighbouring lines, rather than one system call each (a file of an
   * hour may hold hundreds of thousands) or the whole file at once (twice its live lines: 70 MB for
   * an hour of rules' states under ingestion, issue 25).
   */
  private linesOf(kind: string, path: string, kept: Kept[]): Lines {
    const current = this.lines.of(path);
    const copied = new Map<number, string>();
    return {
      count: kept.length,
      line: (i) => {
        const k = kept[i]!;
        if (k.json !== undefined || k.file !== current) return k.line(kind);
        if (!copied.has(i)) {
          copied.clear();
          const batch: number[] = [];
          for (let j = i; j < Math.min(kept.length, i + BATCH); j++) if (kept[j]!.json === undefined && kept[j]!.file === current) batch.push(j);
          current.readMany(batch.map((j) => kept[j]!)).forEach((line, n) => copied.set(batch[n]!, line));
        }
        return copied.get(i)!;
      },
    };
  }

  /** Gives the items written their lines' places once they are durable, and retires a replaced file's version. */
  private placesOf(path: string, changedKept: (Kept | undefined)[], all: Kept[]): LinesLanded {
    let old: LineFile | undefined;
    return {
      rewriting: () => {
        old = this.lines.replacing(path);
      },
      landed: (rewritten, base, lengths) => {
        const file = rewritten ? this.lines.replaced(path) : this.lines.of(path);
        const kept = rewritten ? all : changedKept;
        let offset = base;
        for (let i = 0; i < lengths.length; i++) {
          kept[i]?.placeAt({ file, offset, length: lengths[i]! });
          offset += lengths[i]! + 1;
        }
        this.lines.release(old);
      },
      removed: () => {
        // A version left current would be opened by the next rewrite of the path, which then failed on every try.
        this.lines.forgetUnder(path);
        this.lines.release(old);
      },
      failed: () => this.lines.release(old),
    };
  }

  /** A kind as the start image holds it: its index, and the lines of its files. */
  private loadImaged({ service, kind, files, columns }: ImageKind): void {
    for (const { path, lines } of files) this.files.loaded(path, lines, false);
    const lines = files.map(({ path }) => this.lines.of(path));
    this.state.putIndex(service, kind, (names) => ItemIndex.fromColumns(kind, columns, lines, names));
  }

  /**
   * Writes the start image, at a clean close once a checkpoint has written everything: each kind
   * whose rows all have their lines in current files. Answers whether it wrote one.
   */
  async writeImage(): Promise<boolean> {
    if (this.dirtyItems.size > 0 || this.purge.size > 0 || this.whole.size > 0 || this.removed.size > 0) return false;
    // The columns and the files' sizes and times in one synchronous step: a unit or a checkpoint
    // that lands later (a request cut at shutdown that goes on) changes a file after its stats were
    // taken, so its kind does not match at the next start, rather than matching with old columns.
    const kinds: ImageKind[] = [];
    for (const [service, { items }] of this.state.services) {
      for (const [kind, index] of items) {
        const files = this.files.under(join(this.folder, 'items', service, kind) + '/');
        if (!files) continue;
        const numbers = new Map(files.map(({ path }, n) => [this.lines.of(path), n]));
        const columns = index.columns((file) => numbers.get(file) ?? -1);
        if (columns && !columns.files.includes(-1)) kinds.push({ service, kind, files, columns });
      }
    }
    // The users of each service whose files hold every change: none is dirty after the last checkpoint.
    // Not when the dictionary is crowded: the next start reads them from their files and numbers
    // only the words in use, where the image would carry every word ever seen from start to start.
    const users: ImageUsers[] = [];
    const words = this.state.userWordsToKeep();
    for (const [service, state] of this.dirtyUsers.size > 0 || !words ? [] : this.state.services) {
      const files = this.files.under(join(this.folder, 'users', service) + '/');
      if (!files) continue;
      const names: string[] = [];
      const packed: string[] = [];
      for (const [name, record] of state.users.entries()) {
        names.push(name);
        packed.push(record);
      }
      users.push({ service, files, names, packed });
    }
    const image = prepareImage(this.folder, kinds, users, users.length > 0 ? words! : []);
    await writeImage(join(this.folder, IMAGE), image);
    return true;
  }

  /** Closes the files items were read from. */
  close(): void {
    this.lines.closeAll();
  }

  private async writeMain(services: MainFile['services']): Promise<void> {
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    const db = new Low<MainFile>(new DurableJSONFile(this.mainFile), { format: 1, services: [] });
    db.data = { format: 1, services };
    await db.write();
  }
}

/** The file an item of this time is kept in: its hour, "2026-11-29T15". */
const itemKey = (service: string, kind: string, at: string) => `${service}\n${kind}\n${at.slice(0, 13)}`;

function mark(dirty: Map<string, Dirty>, key: string, name: string): void {
  const names = dirty.get(key);
  if (names === 'all') return;
  if (names) names.add(name);
  else dirty.set(key, new Set([name]));
}

function merge(dirty: Map<string, Dirty>, key: string, more: Dirty): void {
  if (more === 'all') dirty.set(key, 'all');
  else for (const name of more) mark(dirty, key, name);
}

/** A user's shard: by a stable hash, so a user stays in the same file. */
const shardOf = (name: string): number => fnv1aUnits(name) % SHARDS;

/** Lines copied from a file being rewritten are read this many at a time. */
const BATCH = 4096;
