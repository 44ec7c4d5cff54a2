import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, scryptSync, type KeyObject } from 'node:crypto';
import * as base58 from 'base58-universal';

/**
 * Issuer signing keys: Ed25519, made here, published as a Multikey (for Data Integrity proofs) and
 * a JWK (for VC-JWT), kept encrypted with a secret the operator gives in the environment, and
 * rotated without forgetting: a retired key signs nothing new but stays published, so what it
 * signed still verifies.
 */

/** The multicodec prefix of an Ed25519 public key (0xed, as a varint), as Multikey encodes it. */
const ED25519_PUB = Uint8Array.of(0xed, 0x01);
/** PKCS#8 DER of an Ed25519 private key, up to the 32-byte seed. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
}

/** What is kept of a key: its public half in clear, its private half sealed. */
export interface IssuerKey {
  /** Short, unique among the issuer's keys; the fragment of its verification method. */
  id: string;
  created: string;
  /** When it stopped signing; it stays published after. */
  retired?: string;
  publicKeyMultibase: string;
  publicKeyJwk: PublicJwk;
  sealed: SealedSecret;
}

/** An AES-256-GCM box; `aad` is not stored but given again to open it (it binds the box to its key record). */
export interface SealedSecret {
  alg: 'A256GCM';
  iv: string;
  data: string;
  tag: string;
}

/** A key able to sign: the record and its private key, opened. */
export interface SigningKey {
  key: IssuerKey;
  privateKey: KeyObject;
}

/** An Ed25519 private key from its 32-byte seed. */
export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new Error('An Ed25519 seed is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
}

export function seedOf(privateKey: KeyObject): Buffer {
  return Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
}

export function publicJwkOf(key: KeyObject): PublicJwk {
  const { x } = createPublicKey(key).export({ format: 'jwk' });
  return { kty: 'OKP', crv: 'Ed25519', x: x! };
}

/** `z` + base58btc(0xed01 + key): the Multikey form of an Ed25519 public key. */
export function multibaseOf(jwk: PublicJwk): string {
  return 'z' + base58.encode(Buffer.concat([ED25519_PUB, Buffer.from(jwk.x, 'base64url')]));
}

/** The raw public key a Multikey value holds; throws for anything but an Ed25519 one. */
export function publicKeyFromMultibase(value: string): Buffer {
  if (!value.startsWith('z')) throw new Error('A Multikey value starts with z (base58btc)');
  const bytes = base58.decode(value.slice(1));
  if (bytes.length !== 34 || bytes[0] !== ED25519_PUB[0] || bytes[1] !== ED25519_PUB[1]) throw new Error('Not an Ed25519 Multikey');
  return Buffer.from(bytes.subarray(2));
}

/**
 * The key that encrypts issuer keys, from the operator's secret. scrypt, so that a secret typed by a
 * person (rather than 32 random bytes) still costs a guesser dearly; done once per process.
 */
export function keyEncryptionKey(secret: string): Buffer {
  if (secret.length < 32) throw new Error('The issuer key secret is at least 32 characters');
  return scryptSync(secret, 'user-badges issuer keys v1', 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
}

export function seal(plain: Uint8Array, kek: Buffer, aad: string): SealedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(aad));
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { alg: 'A256GCM', iv: iv.toString('base64url'), data: data.toString('base64url'), tag: cipher.getAuthTag().toString('base64url') };
}

/** Throws `KeySecretMismatch` when the box was sealed with another secret or for another record. */
export function open(sealed: SealedSecret, kek: Buffer, aad: string): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(sealed.iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64url')), decipher.final()]);
  } catch {
    throw new KeySecretMismatch();
  }
}

export class KeySecretMismatch extends Error {
  readonly code = 'key_secret_mismatch';
  constructor() {
    super('The issuer key secret does not open this key: it was sealed with another ISSUER_KEY_SECRET');
  }
}

/** What a sealed key is bound to: its issuer and id, so a record copied onto another does not open. */
const aadOf = (issuerId: string, keyId: string) => `${issuerId}#${keyId}`;

/** A new key for an issuer, its private half sealed with `kek`. */
export function generateIssuerKey(issuerId: string, kek: Buffer, created: string, id = `key-${randomBytes(6).toString('base64url')}`): IssuerKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return issuerKeyOf(issuerId, privateKey, kek, created, id);
}

/** The record of a given private key (a key brought from elsewhere, or the specification's test key). */
export function issuerKeyOf(issuerId: string, privateKey: KeyObject, kek: Buffer, created: string, id: string): IssuerKey {
  const publicKeyJwk = publicJwkOf(privateKey);
  return { id, created, publicKeyMultibase: multibaseOf(publicKeyJwk), publicKeyJwk, sealed: seal(seedOf(privateKey), kek, aadOf(issuerId, id)) };
}

export function openIssuerKey(issuerId: string, key: IssuerKey, kek: Buffer): SigningKey {
  const privateKey = privateKeyFromSeed(open(key.sealed, kek, aadOf(issuerId, key.id)));
  if (publicJwkOf(privateKey).x !== key.publicKeyJwk.x) throw new Error(`Issuer key ${key.id}: its private half does not match its public half`);
  return { key, privateKey };
}

/** The key that signs now: the newest one not retired. */
export function activeKey(keys: readonly IssuerKey[]): IssuerKey | undefined {
  return keys.filter((key) => !key.retired).sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0))[0];
}

/** A rotation: every key still signing is retired at `now`, and the new one signs from then on. */
export function rotate(keys: readonly IssuerKey[], fresh: IssuerKey, now: string): IssuerKey[] {
  return [...keys.map((key) => (key.retired ? key : { ...key, retired: now })), fresh];
}
