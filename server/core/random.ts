import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for ids, taken from a pool filled 4 KiB at a time: every award makes several ids
 * (its instance, activity and audit entries), and one call into the CSPRNG per id was 5% of an
 * award's CPU (issue 25). The bytes are the same CSPRNG's; a slice is never handed out twice.
 */
const POOL = Buffer.alloc(4096);
let used = POOL.length;

export function randomBytesPooled(count: number): Buffer {
  if (count > POOL.length) throw new RangeError(`at most ${POOL.length} pooled random bytes at once`);
  if (used + count > POOL.length) {
    randomFillSync(POOL);
    used = 0;
  }
  // A copy: the pool is refilled under whoever still held a view of it.
  const bytes = Buffer.from(POOL.subarray(used, used + count));
  used += count;
  return bytes;
}
