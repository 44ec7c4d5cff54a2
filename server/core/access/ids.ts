import { randomBytesPooled } from '../random.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** `bytes` random bytes as lower-case base32 (RFC 4648 alphabet, no padding): safe in paths and ids. */
export function randomBase32(bytes: number): string {
  const data = randomBytesPooled(bytes);
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** An id nobody can guess or collide with: a prefix saying what it is, then 96 random bits. */
export const newId = (prefix: string) => `${prefix}_${randomBase32(12)}`;
