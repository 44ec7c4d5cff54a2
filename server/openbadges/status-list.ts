import { gunzipSync, gzipSync } from 'node:zlib';
import { VC_V2 } from './contexts.js';

/**
 * Revocation that verifiers can learn of without asking about one award: W3C Bitstring Status List
 * v1.0. Each credential names a position in a list; the list is a credential of its own whose
 * subject holds a GZIP-compressed bitstring (at least 16 KB, 131,072 entries, so that one position
 * says little about whom it is for) in which a set bit means revoked.
 */

/** Entries per list: the specification's minimum, 16 KB of bits. */
export const LIST_SIZE = 131_072;

export interface StatusEntry {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: 'revocation';
  statusListIndex: string;
  statusListCredential: string;
}

export function statusEntry(listUrl: string, index: number): StatusEntry {
  if (!Number.isInteger(index) || index < 0 || index >= LIST_SIZE) throw new RangeError(`Status list index ${index} is outside 0..${LIST_SIZE - 1}`);
  return { id: `${listUrl}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(index), statusListCredential: listUrl };
}

/** The multibase (`u`, base64url without padding) of the GZIP of the bitstring; bit 0 is the first byte's highest bit. */
export function encodeList(revoked: Iterable<number>, size = LIST_SIZE): string {
  const bits = new Uint8Array(size / 8);
  for (const index of revoked) {
    if (index < 0 || index >= size) throw new RangeError(`Status list index ${index} is outside 0..${size - 1}`);
    bits[index >> 3]! |= 0x80 >> (index & 7);
  }
  return 'u' + gzipSync(bits).toString('base64url');
}

/** Whether the entry at `index` of an encoded list is set. */
export function isSet(encodedList: string, index: number): boolean {
  if (!encodedList.startsWith('u')) throw new Error('An encoded status list is base64url multibase (starts with u)');
  const bits = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'));
  if (index < 0 || index >= bits.length * 8) throw new RangeError(`Status list index ${index} is outside the list`);
  return (bits[index >> 3]! & (0x80 >> (index & 7))) !== 0;
}

export interface StatusListCredential {
  '@context': string[];
  id: string;
  type: string[];
  issuer: string;
  validFrom: string;
  credentialSubject: { id: string; type: 'BitstringStatusList'; statusPurpose: 'revocation'; encodedList: string };
  proof?: unknown;
}

/** The unsigned list credential; `validFrom` is when the list last changed. */
export function buildStatusListCredential(input: { id: string; issuer: string; validFrom: string; revoked: Iterable<number> }): StatusListCredential {
  return {
    '@context': [VC_V2],
    id: input.id,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: input.issuer,
    validFrom: input.validFrom,
    credentialSubject: { id: `${input.id}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: encodeList(input.revoked) },
  };
}
