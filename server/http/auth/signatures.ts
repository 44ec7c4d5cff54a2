import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ParsedUrlQuery } from 'node:querystring';
import { SignedQuery } from '../../../types/schema.js';
import { HttpError } from '../errors.js';
import type { ServiceRecord } from '../../core/model.js';
import type { ReplayStore, Use } from '../../stores/replays.js';

/** How far a signed request's `ts` may be from the server's clock, either way. */
export const SIGNATURE_WINDOW_SECONDS = 300;

/** How a write proves that it holds the service's key. */
export type Credentials = { key: string } | Signature;

export interface Signature {
  ts: string;
  /** Lower-case hex: 64 digits for HMAC-SHA256, 40 for the legacy SHA1 form. */
  signature: string;
  /** Makes two otherwise identical requests distinct; only HMAC-SHA256 signatures cover it. */
  nonce?: string;
}

export interface SignedRequest {
  method: string;
  /** The path as sent, without the query, e.g. `/v1/demo/users/daniel.json`. */
  path: string;
  body: Buffer;
}

// The forms the document declares for the signed query.
const TS = new RegExp(SignedQuery.properties.ts.pattern!);
const NONCE = new RegExp(SignedQuery.properties.nonce.pattern!);
const SIGNATURE = new RegExp(SignedQuery.properties.signature.pattern!);

/**
 * The credentials of a write: `Authorization: <key>` (or `Bearer <key>`), or `?ts=&signature=` with
 * an optional `&nonce=`. Only their form is checked here, so that this runs before the body is read.
 */
export function credentialsOf(authorization: string, query: ParsedUrlQuery): Credentials {
  if (authorization) return { key: authorization.replace(/^Bearer\s+/i, '').trim() };
  const { ts, signature, nonce } = query;
  if (ts === undefined && signature === undefined) {
    throw unauthorized('missing_credentials', 'Writes need "Authorization: <key>" or ?ts=<unix seconds>&signature=<hex>');
  }
  if (typeof ts !== 'string' || !TS.test(ts)) throw unauthorized('invalid_ts', 'ts must be the time in whole Unix seconds');
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) {
    throw unauthorized('invalid_signature', 'signature must be 64 hex digits (HMAC-SHA256) or 40 (legacy SHA1)');
  }
  if (nonce === undefined) return { ts, signature: signature.toLowerCase() };
  if (typeof nonce !== 'string' || !NONCE.test(nonce)) throw unauthorized('invalid_nonce', 'nonce must be 8-64 letters, digits, "-" or "_", given once');
  // An unsigned nonce would let anyone make a used legacy signature look new.
  if (signature.length === 40) throw unauthorized('invalid_nonce', 'A nonce needs an HMAC-SHA256 signature; the legacy SHA1 form cannot cover it');
  return { ts, signature: signature.toLowerCase(), nonce };
}

/** A key from the header: checked before the body is read. */
export function checkKey(service: ServiceRecord, key: string): void {
  if (!sameSecret(key, service.key)) throw unauthorized('invalid_key', `The key is not valid for service "${service.name}"`);
}

/**
 * What a signature can be refused for without the body it covers: a `ts` out of the window, the
 * legacy form where the service turned it off. Checked before the body is read, and again by
 * `useSignature`.
 */
export function checkSignatureForm(service: ServiceRecord, { ts, signature }: Signature, now: number): void {
  if (Math.abs(now / 1000 - Number(ts)) > SIGNATURE_WINDOW_SECONDS) {
    throw unauthorized('expired_ts', `ts is more than ${SIGNATURE_WINDOW_SECONDS} s from the server's time (${Math.floor(now / 1000)})`);
  }
  if (signature.length === 40 && service.settings?.legacySignatures === false) {
    throw unauthorized('legacy_signatures_off', `Service "${service.name}" accepts only HMAC-SHA256 signatures (or the key in the Authorization header)`);
  }
}

/**
 * Checks a signature over the request and uses it up in the replay memory, whatever happens to the
 * request afterwards. The legacy SHA1 form is checked over the path as sent and, as the original
 * client signed it, over the decoded path. Throws a 401 naming what is wrong.
 */
export async function useSignature(service: ServiceRecord, signed: Signature, request: SignedRequest, replay: ReplayStore, now: number): Promise<Use> {
  const { ts, signature, nonce } = signed;
  checkSignatureForm(service, signed, now);
  const legacy = signature.length === 40;
  const candidates = legacy ? [...new Set([request.path, decodedPath(request.path)])].map((path) => legacySign(service.key, ts, { ...request, path })) : [sign(service.key, ts, request, nonce)];
  const given = Buffer.from(signature, 'hex');
  if (!candidates.some((expected) => timingSafeEqual(given, Buffer.from(expected, 'hex')))) {
    throw unauthorized('invalid_signature', `The signature does not match the request for service "${service.name}"`);
  }
  if (Number(ts) < Math.floor(replay.since / 1000)) {
    throw unauthorized('replayed_signature', 'The request was signed before the server (re)started; sign it anew');
  }
  const expiresAt = (Number(ts) + SIGNATURE_WINDOW_SECONDS) * 1000;
  // Without a nonce an identical request cannot be told from a replay: its first answer is kept for it.
  return replay.firstUse(`${service.name}\n${signature}`, requestIdentity(request), expiresAt, now, nonce === undefined);
}

/**
 * What a repeat must match to count as the same request: the legacy form does not cover the method,
 * so the replay memory binds it. Paths are compared decoded (one resource, however it is encoded).
 * A digest, so that a million remembered signatures stay a few dozen bytes each.
 */
export function requestIdentity({ method, path, body }: SignedRequest): string {
  return createHash('sha256').update(`${method.toUpperCase()}\n${decodedPath(path)}\n`).update(body).digest('base64url');
}

/**
 * hex(HMAC-SHA256(key, ts + "\n" + METHOD + "\n" + PATH + "\n" + BODY)); with a nonce,
 * hex(HMAC-SHA256(key, ts + "\n" + nonce + "\n" + METHOD + "\n" + PATH + "\n" + BODY)). The two cannot
 * be mistaken for each other: a path starts with "/", a method never does.
 */
export function sign(key: string, ts: string, { method, path, body }: SignedRequest, nonce?: string): string {
  const head = nonce === undefined ? `${ts}\n` : `${ts}\n${nonce}\n`;
  return createHmac('sha256', key).update(`${head}${method.toUpperCase()}\n${path}\n`).update(body).digest('hex');
}

/** hex(SHA1(key + ts + PATH + BODY)), as the original UserBadges client libraries signed. */
export function legacySign(key: string, ts: string, { path, body }: SignedRequest): string {
  return createHash('sha1').update(`${key}${ts}${path}`).update(body).digest('hex');
}

function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

const digest = (secret: string) => createHash('sha256').update(secret).digest();

/**
 * Digests of the secrets requests are checked against: the same few keys, checked at every write
 * (hashing both sides was 1.4 s of a 63 s benchmark of awards, issue 25). Bounded, as scoped keys
 * are many; what it holds is in the store's records already.
 */
const actualDigests = new Map<string, Buffer>();
const DIGESTS_KEPT = 1024;

function digestOfActual(actual: string): Buffer {
  let known = actualDigests.get(actual);
  if (known === undefined) {
    if (actualDigests.size >= DIGESTS_KEPT) actualDigests.clear();
    known = digest(actual);
    actualDigests.set(actual, known);
  }
  return known;
}

/** Compares in constant time whatever the lengths, by comparing digests. */
export function sameSecret(given: string, actual: string): boolean {
  return timingSafeEqual(digest(given), digestOfActual(actual)) && given.length > 0;
}

export const unauthorized = (code: string, message: string) => {
  const error = new HttpError(401, code, message);
  error.headers = { 'WWW-Authenticate': 'Bearer realm="user-badges"' };
  return error;
};
