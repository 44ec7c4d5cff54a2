import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ServiceRecord } from '../../core/model.js';
import type { Queries } from '../../core/ports.js';
import type { ReplayStore, Use } from '../../stores/replays.js';
import { previousKey, scopedKey, SERVICE_ACCESS, type Access } from './credentials.js';
import { requestIdentity, unauthorized, type SignedRequest } from './signatures.js';

/**
 * BadgeKit's request authentication, for its clients: `Authorization: JWT token="<jwt>"`, a JWT
 * (HS256) signed with a key and bound to the request by its claims:
 *
 *   key     "master" (or the service's name): signed with the service's key; a scoped key's id
 *           (`key_...`): signed with that key's secret, and acting as that key
 *   method  the request's method
 *   path    the path as sent, query included
 *   body    {"alg": "sha256", "hash": hex(SHA-256(body))}: needed when the request has a body
 *   exp     Unix seconds (BadgeKit's client sent milliseconds: read as such), at most
 *           JWT_LIFETIME_SECONDS ahead; `iat` optional
 *
 * Used once, as signatures are (see signatures.ts): the replay memory keeps each token until its
 * `exp`; the identical request again gets the first answer, unless the token has a `jti`, which
 * makes it distinct as a nonce does (a repeat is then refused).
 */
export const JWT_LIFETIME_SECONDS = 120;

const FORM = /^JWT\s+token="([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)"$/i;

/** The token of a BadgeKit `Authorization` header, or undefined when the header is another kind. */
export const jwtOf = (authorization: string): string | undefined => FORM.exec(authorization.trim())?.[1];

interface Claims {
  key?: unknown;
  method?: unknown;
  path?: unknown;
  body?: { alg?: unknown; hash?: unknown };
  exp?: unknown;
  iat?: unknown;
  jti?: unknown;
}

/** The request as the token must describe it: its body's bytes, and the path as sent with its query. */
export interface JwtRequest extends SignedRequest {
  url: string;
}

/**
 * Checks a BadgeKit token against the request and uses it up; answers whose it is (the service's
 * or a scoped key's) and its use in the replay memory. Throws a 401 naming what is wrong.
 */
export async function useJwt(store: Queries, service: ServiceRecord, token: string, request: JwtRequest, replay: ReplayStore, now: number): Promise<{ access: Access; use: Use; jti?: string }> {
  const [head, payload, signature] = token.split('.') as [string, string, string];
  const header = decoded(head) as { alg?: unknown } | undefined;
  const claims = decoded(payload) as Claims | undefined;
  if (!header || !claims || typeof claims !== 'object') throw unauthorized('invalid_jwt', 'The JWT is not three base64url parts of JSON');
  if (header.alg !== 'HS256') throw unauthorized('invalid_jwt', 'The JWT must be signed with HS256 (HMAC-SHA256), as BadgeKit signs');
  if (typeof claims.key !== 'string') throw unauthorized('invalid_jwt', 'The JWT has no "key" claim: "master", or a scoped key\'s id');

  let access: Access = SERVICE_ACCESS;
  let secrets: string[];
  if (claims.key === 'master' || claims.key === service.name) {
    const previous = await previousKey(store, service, now);
    secrets = previous === undefined ? [service.key] : [service.key, previous];
  } else if (/^key_[a-z2-7]{20}$/.test(claims.key)) {
    const key = await scopedKey(store, service, claims.key, now);
    access = { kind: 'key', key };
    secrets = [key.secret];
  } else {
    throw unauthorized('invalid_key', `The key is not valid for service "${service.name}"`);
  }
  const given = Buffer.from(signature, 'base64url');
  const signedBy = (secret: string) => {
    const expected = createHmac('sha256', secret).update(`${head}.${payload}`).digest();
    return expected.length === given.length && timingSafeEqual(expected, given);
  };
  if (!secrets.some(signedBy)) throw unauthorized('invalid_signature', `The JWT is not signed with the key for service "${service.name}"`);

  if (typeof claims.method !== 'string' || claims.method.toUpperCase() !== request.method.toUpperCase()) {
    throw unauthorized('jwt_method_mismatch', `The JWT's "method" claim must be ${request.method.toUpperCase()}`);
  }
  if (claims.path !== request.url) throw unauthorized('jwt_path_mismatch', 'The JWT\'s "path" claim must be the path as sent, with its query');
  checkBody(claims.body, request.body);

  const exp = secondsOf(claims.exp);
  if (exp === undefined) throw unauthorized('jwt_expiry_missing', `The JWT needs an "exp" claim (Unix seconds), at most ${JWT_LIFETIME_SECONDS} s ahead`);
  if (exp * 1000 <= now) throw unauthorized('jwt_expired', `The JWT expired at ${new Date(exp * 1000).toISOString()} (server time ${new Date(now).toISOString()})`);
  if (exp * 1000 > now + JWT_LIFETIME_SECONDS * 1000) throw unauthorized('jwt_expiry_too_far', `The JWT's "exp" is more than ${JWT_LIFETIME_SECONDS} s ahead of the server's time`);
  // A token that may have been used before the replay memory began (a restart) cannot be told from a replay.
  const iat = secondsOf(claims.iat);
  const madeAfter = (iat ?? exp - JWT_LIFETIME_SECONDS) * 1000;
  if (madeAfter < replay.since) throw unauthorized('replayed_signature', 'The JWT may have been made before the server (re)started; make it anew (an "iat" claim says when it was)');

  const jti = typeof claims.jti === 'string' && claims.jti !== '' ? claims.jti : undefined;
  const use = await replay.firstUse(`${service.name}\njwt\n${signature}`, requestIdentity(request), exp * 1000, now, jti === undefined);
  return { access, use, ...(jti ? { jti } : {}) };
}

function checkBody(claim: Claims['body'], body: Buffer): void {
  if (claim === undefined && body.length === 0) return;
  if (!claim || typeof claim !== 'object') throw unauthorized('jwt_body_mismatch', 'A request with a body needs the JWT\'s "body" claim: {"alg": "sha256", "hash": hex(SHA-256(body))}');
  if (typeof claim.alg !== 'string' || claim.alg.toLowerCase() !== 'sha256') throw unauthorized('jwt_body_mismatch', 'The "body" claim\'s "alg" must be sha256');
  const hash = createHash('sha256').update(body).digest('hex');
  if (typeof claim.hash !== 'string' || claim.hash.toLowerCase() !== hash) throw unauthorized('jwt_body_mismatch', 'The "body" claim\'s hash is not that of the body sent');
}

/** Unix seconds from a claim; a value past the year 5000 in seconds is milliseconds, as BadgeKit's client sent. */
function secondsOf(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return undefined;
  return value > 1e11 ? value / 1000 : value;
}

function decoded(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
