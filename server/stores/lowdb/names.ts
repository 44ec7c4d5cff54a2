/**
 * The owners' and subjects' names of a service's item indexes, each once, by number: a row keeps two
 * 32-bit numbers where it kept two pointers, and a start from the image copies two typed columns
 * instead of making two arrays of millions of pointers (issue 25). Null is -1. Every kind of the
 * service shares them: a member owns items of several kinds, and a Map of each kind's names was
 * 4 MB at 100,000 members. The service's users are numbered here too (see packed-users.ts). Each
 * name counts its uses (rows, and the user of that name); one that nothing uses goes, and its number
 * is given to the next new name.
 */
export class Names {
  private readonly names: (string | undefined)[] = [];
  private readonly numbers = new Map<string, number>();
  private uses: Int32Array<ArrayBuffer> = new Int32Array(16);
  private readonly free: number[] = [];

  /** The number of `name` for a row that uses it (numbered if it is new); -1 for null. */
  take(name: string | null): number {
    if (name === null) return -1;
    const n = this.number(name);
    this.uses[n]!++;
    return n;
  }

  /** The number of `name`, numbered if it is new; the row that will use it says so (`use`). */
  number(name: string): number {
    let n = this.numbers.get(name);
    if (n === undefined) {
      n = this.free.pop() ?? this.names.length;
      this.names[n] = name;
      this.numbers.set(name, n);
      if (n >= this.uses.length) {
        const bigger = new Int32Array(n * 2);
        bigger.set(this.uses);
        this.uses = bigger;
      }
    }
    return n;
  }

  /** One more row uses name `n`. */
  use(n: number): void {
    if (n >= 0) this.uses[n]!++;
  }

  /** A row no longer uses name `n`. */
  release(n: number): void {
    if (n < 0 || --this.uses[n]! > 0) return;
    this.numbers.delete(this.names[n]!);
    this.names[n] = undefined;
    this.free.push(n);
  }

  /** The number of `name`, if a row uses it. */
  find(name: string): number | undefined {
    return this.numbers.get(name);
  }

  nameOf(n: number): string | null {
    return n < 0 ? null : this.names[n]!;
  }

  /** How many numbers there are, given or free: every number is below it. */
  get count(): number {
    return this.names.length;
  }

  /** Every name by its number, for names numbered without gaps (by `take` alone, never released). */
  all(): string[] {
    return this.names as string[];
  }
}
