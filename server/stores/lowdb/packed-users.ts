import type { UserRecord } from '../../core/model.js';
import { RecordPacker } from './packed-records.js';

/** What a user's record repeats beside its keys: badge names. */
const BADGE_NAMES = new Set(['badge', 'featured', 'hidden']);

/** One packer for a store's users: its dictionary holds every service's keys and badge names. */
export const userPacker = (): RecordPacker => new RecordPacker((key) => BADGE_NAMES.has(key));

/**
 * A service's users by name, each kept packed (see packed-records.ts) and unpacked when read: a
 * read gets a record of its own, which nothing else holds.
 */
export class PackedUsers {
  private readonly packed = new Map<string, string>();

  constructor(private readonly packer: RecordPacker) {}

  get size(): number {
    return this.packed.size;
  }

  get(name: string): UserRecord | undefined {
    const packed = this.packed.get(name);
    if (packed === undefined) return undefined;
    const user = this.packer.unpack(packed) as UserRecord;
    // The key, not a slice of the packed string: indexes keep names for as long as the user is there.
    if (user.name === name) user.name = name;
    return user;
  }

  /**
   * The user's record as kept: a string, which never changes, so holding it is a snapshot of the
   * record; `lineOf` makes it JSON when it is written. A checkpoint holds these, not records.
   */
  packedOf(name: string): string | undefined {
    return this.packed.get(name);
  }

  lineOf(packed: string): string {
    return JSON.stringify(this.packer.unpack(packed));
  }

  /** A record as `packedOf` gave it, kept by a start image. */
  restore(name: string, packed: string): void {
    this.packed.set(name, packed);
  }

  /** Every user's name and record as kept, for a start image. */
  entries(): IterableIterator<[string, string]> {
    return this.packed.entries();
  }

  /** The badges a record as kept holds, without unpacking it. */
  badgesOf(packed: string): string[] {
    return this.packer.stringsUnder(packed, 'badge');
  }

  /** The `latest` of the user's award of `badge`, without unpacking the record; undefined if none. */
  latestOf(name: string, badge: string): string | undefined {
    const packed = this.packed.get(name);
    return packed === undefined ? undefined : (this.packer.fieldWhere(packed, 'badge', badge, 'latest') as string | undefined);
  }

  has(name: string): boolean {
    return this.packed.has(name);
  }

  set(name: string, user: UserRecord): void {
    this.packed.set(name, this.packer.pack(user));
  }

  delete(name: string): void {
    this.packed.delete(name);
  }

  keys(): IterableIterator<string> {
    return this.packed.keys();
  }

  *values(): IterableIterator<UserRecord> {
    for (const name of this.packed.keys()) yield this.get(name)!;
  }
}
