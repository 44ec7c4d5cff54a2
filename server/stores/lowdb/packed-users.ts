import type { UserRecord } from '../../core/model.js';
import { RecordPacker } from './packed-records.js';

/** What a user's record repeats beside its keys: badge names. */
const BADGE_NAMES = new Set(['badge', 'featured', 'hidden']);

/** One packer for a store's users: its dictionary holds every service's keys and badge names. */
export const userPacker = (): RecordPacker => new RecordPacker((key) => BADGE_NAMES.has(key));

/**
 * A service's users by name, each kept packed (see packed-records.ts) and unpacked when read: a
 * read gets a record of its own, which nothing else holds. Each user has a number while they are
 * here, which their badges' holders keep (see member-set.ts); a number let go goes to the next new user.
 */
export class PackedUsers {
  private readonly numbers = new Map<string, number>();
  private readonly names: (string | undefined)[] = [];
  private readonly packed: (string | undefined)[] = [];
  private readonly free: number[] = [];

  constructor(private readonly packer: RecordPacker) {}

  get size(): number {
    return this.numbers.size;
  }

  get(name: string): UserRecord | undefined {
    const n = this.numbers.get(name);
    if (n === undefined) return undefined;
    const user = this.packer.unpack(this.packed[n]!) as UserRecord;
    // The key, not a slice of the packed string: indexes keep names for as long as the user is there.
    if (user.name === name) user.name = this.names[n]!;
    return user;
  }

  /** The user's number, while they are here. */
  numberOf(name: string): number | undefined {
    return this.numbers.get(name);
  }

  /** The name of user number `n`. */
  nameOf(n: number): string {
    return this.names[n]!;
  }

  /**
   * The user's record as kept: a string, which never changes, so holding it is a snapshot of the
   * record; `lineOf` makes it JSON when it is written. A checkpoint holds these, not records.
   */
  packedOf(name: string): string | undefined {
    const n = this.numbers.get(name);
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
    for (const [name, n] of this.numbers) yield [name, this.packed[n]!];
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
    return this.numbers.has(name);
  }

  /** Keeps the user's record: answers their number. */
  set(name: string, user: UserRecord): number {
    return this.keep(name, this.packer.pack(user));
  }

  delete(name: string): void {
    const n = this.numbers.get(name);
    if (n === undefined) return;
    this.numbers.delete(name);
    this.names[n] = undefined;
    this.packed[n] = undefined;
    this.free.push(n);
  }

  keys(): IterableIterator<string> {
    return this.numbers.keys();
  }

  *values(): IterableIterator<UserRecord> {
    for (const name of this.numbers.keys()) yield this.get(name)!;
  }

  private keep(name: string, packed: string): number {
    let n = this.numbers.get(name);
    if (n === undefined) {
      n = this.free.pop() ?? this.names.length;
      this.numbers.set(name, n);
      this.names[n] = name;
    }
    this.packed[n] = packed;
    return n;
  }
}
