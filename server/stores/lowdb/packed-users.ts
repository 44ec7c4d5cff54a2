import type { UserRecord } from '../../core/model.js';
import { Names } from './names.js';
import { RecordPacker } from './packed-records.js';

/** What a user's record repeats beside its keys: badge names. */
const BADGE_NAMES = new Set(['badge', 'featured', 'hidden']);

/** One packer for a store's users: its dictionary holds every service's keys and badge names. */
export const userPacker = (): RecordPacker => new RecordPacker((key) => BADGE_NAMES.has(key));

/**
 * A service's users by name, each kept packed (see packed-records.ts) and unpacked when read: a
 * read gets a record of its own, which nothing else holds. Each user has a number while they are
 * here, which their badges' holders keep (see member-set.ts): their name's number in the service's
 * `Names`, which its item indexes share (a map of its own was a second copy of every name, 7 MB at
 * 100,000 users, issue 25). A user is one use of their name; a number let go goes to the next new name.
 */
export class PackedUsers {
  /** By number; undefined for a number that is no user's (an item's owner, say, or a free one). */
  private readonly packed: (string | undefined)[] = [];
  private count = 0;

  constructor(
    private readonly packer: RecordPacker,
    private readonly names = new Names(),
  ) {}

  get size(): number {
    return this.count;
  }

  get(name: string): UserRecord | undefined {
    const n = this.numberOf(name);
    if (n === undefined) return undefined;
    const user = this.packer.unpack(this.packed[n]!) as UserRecord;
    // The key, not a slice of the packed string: indexes keep names for as long as the user is there.
    if (user.name === name) user.name = this.nameOf(n);
    return user;
  }

  /** The user's number, while they are here. */
  numberOf(name: string): number | undefined {
    const n = this.names.find(name);
    return n !== undefined && this.packed[n] !== undefined ? n : undefined;
  }

  /** The name of user number `n`. */
  nameOf(n: number): string {
    return this.names.nameOf(n)!;
  }

  /**
   * The user's record as kept: a string, which never changes, so holding it is a snapshot of the
   * record; `lineOf` makes it JSON when it is written. A checkpoint holds these, not records.
   */
  packedOf(name: string): string | undefined {
    const n = this.names.find(name);
    return n === undefined ? undefined : this.packed[n];
  }

  lineOf(packed: string): string {
    return JSON.stringify(this.packer.unpack(packed));
  }

  /** A record as `packedOf` gave it, kept by a start image: answers the user's number. */
  restore(name: string, packed: string): number {
    return this.keep(name, packed);
  }

  /** Every user's name and record as kept, for a start image. */
  *entries(): IterableIterator<[string, string]> {
    for (let n = 0; n < this.packed.length; n++) {
      const packed = this.packed[n];
      if (packed !== undefined) yield [this.nameOf(n), packed];
    }
  }

  /** The badges a record as kept holds, without unpacking it. */
  badgesOf(packed: string): string[] {
    return this.packer.stringsUnder(packed, 'badge');
  }

  /** The `latest` of user number `n`'s award of `badge`, without unpacking the record; undefined if none. */
  latestOf(n: number, badge: string): string | undefined {
    const packed = this.packed[n];
    return packed === undefined ? undefined : (this.packer.fieldWhere(packed, 'badge', badge, 'latest') as string | undefined);
  }

  has(name: string): boolean {
    return this.numberOf(name) !== undefined;
  }

  /** Keeps the user's record: answers their number. */
  set(name: string, user: UserRecord): number {
    return this.keep(name, this.packer.pack(user));
  }

  delete(name: string): void {
    const n = this.numberOf(name);
    if (n === undefined) return;
    this.packed[n] = undefined;
    this.count--;
    this.names.release(n);
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<UserRecord> {
    for (const name of this.keys()) yield this.get(name)!;
  }

  private keep(name: string, packed: string): number {
    let n = this.numberOf(name);
    if (n === undefined) {
      n = this.names.take(name);
      this.count++;
    }
    this.packed[n] = packed;
    return n;
  }
}
