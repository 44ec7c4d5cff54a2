/**
 * FNV-1a, 32 bits: stable across runs and machines, which the files rely on (a user stays in the
 * same shard; a start image's id table stays valid), and quick on the short keys it is given.
 */
const BASIS = 0x811c9dc5;
const PRIME = 0x01000193;

/** Over a string's UTF-16 code units. */
export function fnv1aUnits(value: string): number {
  let hash = BASIS;
  for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), PRIME);
  return hash >>> 0;
}

/** Over bytes[start, end). */
export function fnv1aBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = BASIS;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, PRIME);
  return hash >>> 0;
}
