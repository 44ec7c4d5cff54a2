import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.js';
import type { ServiceRecord } from './core/model.js';

/** How far a signed request's `ts` may be from the server's clock, either way. */
export const SIGNATURE_WINDOW_SECONDS = 300;

export interface Credentials {
  authorization?: string;
  ts?: string | string[];
  signature?: string | string[];
  /** Query parameters that would put a key in a URL, where logs and proxies keep it. */
  keyInUrl: boolean;
}

export interface SignedRequest {
  method: string;
  /** The path as sent, without the query, e.g. `/v1/demo/users/daniel.json`. */
  path: string;
  body: Buffer;
}

/**
 * Checks that a write request carries the service's key: in the Authorization header, or as a
 * signature over the request (HMAC-SHA256, or the SHA1 form of the original UserBadges client).
 * Throws a 401 naming what is wrong.
 */
export function authenticate(service: ServiceRecord, credentials: Credentials, request: SignedRequest, replay: ReplayGuard, now: number): void {
  if (credentials.keyInUrl) {
    throw unauthorized('key_in_url', 'A key is never accepted in the URL; send it as "Authorization: <key>" or sign the request');
  }
  if (credentials.authorization !== undefined) {
    const key = credentials.authorization.replace(/^Bearer\s+/i, '').trim();
    if (!sameSecret(key, service.key)) throw unauthorized('invalid_key', `The key is not valid for service "${service.name}"`);
    return;
  }
  const { ts, signature } = credentials;
  if (ts === undefined && signature === undefined) {
    throw unauthorized('missing_credentials', 'Writes need "Authorization: <key>" or ?ts=<unix seconds>&signature=<hex>');
  }
  if (typeof ts !== 'string' || !/^\d{1,12}$/.test(ts)) throw unauthorized('invalid_ts', 'ts must be the time in whole Unix seconds');
  if (typeof signature !== 'string' || !/^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(signature)) {
    throw unauthorized('invalid_signature', 'signature must be 64 hex digits (HMAC-SHA256) or 40 (legacy SHA1)');
  }
  if (Math.abs(now / 1000 - Number(ts)) > SIGNATURE_WINDOW_SECONDS) {
    throw unauthorized('expired_ts', `ts is more than ${SIGNATURE_WINDOW_SECONDS} s from the server's time (${Math.floor(now / 1000)})`);
  }
  const expected = signature.length === 64 ? sign(service.key, ts, request) : legacySign(service.key, ts, request);
  if (!timingSafeEqual(Buffer.from(signature.toLowerCase(), 'hex'), Buffer.from(expected, 'hex'))) {
    throw unauthorized('invalid_signature', `The signature does not match the request for service "${service.name}"`);
  }
  replay.use(`${service.name}\n${signature.toLowerCase()}`, Number(ts), now);
}

/** hex(HMAC-SHA256(key, ts + "\n" + METHOD + "\n" + PATH + "\n" + BODY)) */
export function sign(key: string, ts: string, { method, path, body }: SignedRequest): string {
  return createHmac('sha256', key).update(`${ts}\n${method.toUpperCase()}\n${path}\n`).update(body).digest('hex');
}

/** hex(SHA1(key + ts + PATH + BODY)), as the original UserBadges client libraries signed. */
export function legacySign(key: string, ts: string, { path, body }: SignedRequest): string {
  return createHash('sha1').update(`${key}${ts}${path}`).update(body).digest('hex');
}

/** Compares in constant time whatever the lengths, by comparing digests. */
function sameSecret(given: string, actual: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(actual)) && given.length > 0;
}

const unauthorized = (code: string, message: string) => {
  const error = new HttpError(401, code, message);
  error.headers = { 'WWW-Authenticate': 'Bearer realm="user-badges"' };
  return error;
};

/**
 * Remembers signatures until their `ts` leaves the window, so each signed request is accepted once.
 * In memory: with several server processes, put it in a shared store.
 */
export class ReplayGuard {
  private readonly used = new Map<string, number>();

  /**
   * `since`: when this guard started remembering. What it saw before a restart is gone, so a
   * signature made before then (one a log may hold) is refused outright; the client signs anew.
   */
  constructor(
    private readonly since: number,
    private readonly capacity = 1_000_000,
  ) {}

  use(signature: string, ts: number, now: number): void {
    if (ts < Math.floor(this.since / 1000)) {
      throw unauthorized('replayed_signature', 'The request was signed before the server (re)started; sign it anew');
    }
    const expiresAt = (ts + SIGNATURE_WINDOW_SECONDS) * 1000;
    const seen = this.used.get(signature);
    if (seen !== undefined && seen > now) throw unauthorized('replayed_signature', 'This signature was already used; sign each request anew');
    if (this.used.size >= this.capacity) this.prune(now);
    if (this.used.size >= this.capacity) {
      throw new HttpError(503, 'busy', 'Too many signed requests in the last minutes; retry shortly');
    }
    this.used.set(signature, expiresAt);
  }

  private prune(now: number): void {
    for (const [signature, expiresAt] of this.used) if (expiresAt <= now) this.used.delete(signature);
  }
}
