import { RowColumn } from './row-column.js';

const byNumber = (a: number, b: number): number => a - b;

/**
 * Members by their numbers (see PackedUsers.numberOf), in order: a badge's holders. 4 bytes a
 * holder, off the heap, where a Set of names took about 60 on it with the names' copies (issue 25:
 * 300,000 holders at 100,000 members were 24 MB the collector marked at each full collection).
 * Members are numbered as they arrive, so a new holder mostly goes at the end.
 */
export class MemberSet {
  private readonly members = new RowColumn();

  get size(): number {
    return this.members.length;
  }

  add(member: number): void {
    if (!this.has(member)) this.members.insertSorted(member, byNumber);
  }

  delete(member: number): void {
    const at = this.position(member);
    if (at < this.members.length && this.members.view()[at] === member) this.members.removeAt(at);
  }

  has(member: number): boolean {
    const at = this.position(member);
    return at < this.members.length && this.members.view()[at] === member;
  }

  /** The numbers, in order: a view, valid until the next change. */
  numbers(): Int32Array {
    return this.members.view();
  }

  private position(member: number): number {
    const members = this.members.view();
    let low = 0;
    let high = members.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (members[mid]! < member) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
