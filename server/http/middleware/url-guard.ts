import type { Middleware } from 'koa';
import { badRequest } from '../errors.js';

/** Parameter names that say "credential", compared lower-case without "_" or "-" (apiKey, API_KEY, api-key). */
const CREDENTIAL_NAMES = new Set(['key', 'apikey', 'token', 'accesstoken', 'authtoken', 'secret', 'secretkey', 'clientsecret', 'password', 'authorization']);

/**
 * CrowdTwist's listing takes `api_key` in its URL as their clients send it: taken there and nowhere
 * else, never checked (the list is public) and never logged (the request log keeps no query).
 */
const CROWDTWIST_LISTING = /^\/crowdtwist\/[^/]+\/v2\.1\/badges$/;

/**
 * Refuses, on every method and path, a URL parameter whose name looks like a credential: URLs end up
 * in logs, histories and Referer headers, so a key sent there is spent even when the request is not
 * a write. The answer names the parameter, never its value, and comes before anything could log it.
 */
export const refuseCredentialsInUrl: Middleware = async (ctx, next) => {
  if (ctx.querystring) {
    const listing = ctx.method === 'GET' && CROWDTWIST_LISTING.test(ctx.path);
    for (const name of Object.keys(ctx.query)) {
      if (listing && name === 'api_key') continue;
      if (CREDENTIAL_NAMES.has(name.toLowerCase().replace(/[^a-z0-9]/g, ''))) {
        throw badRequest(
          'key_in_url',
          `The URL parameter "${name.slice(0, 40)}" looks like a credential and is never accepted; send a key as "Authorization: <key>" or sign the request`,
        );
      }
    }
  }
  await next();
};
