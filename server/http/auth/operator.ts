import type { Middleware } from 'koa';
import { HttpError } from '../errors.js';
import { sameSecret } from './signatures.js';

/** The admin API's operator token, compared in constant time; refused before any body is read. */
export function operatorOnly(token: string): Middleware {
  return async function operator(ctx, next) {
    const given = ctx.get('authorization').replace(/^Bearer\s+/i, '').trim();
    if (!given || !sameSecret(given, token)) {
      const error = new HttpError(401, given ? 'invalid_admin_token' : 'missing_credentials', 'The admin API needs "Authorization: Bearer <admin token>"');
      error.headers = { 'WWW-Authenticate': 'Bearer realm="user-badges admin"' };
      throw error;
    }
    ctx.state.actor = { type: 'operator' };
    await next();
  };
}
