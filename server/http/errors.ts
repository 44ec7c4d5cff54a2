import type { Middleware } from 'koa';
import type { JsonValue } from '../../types/api.js';
import { DomainError, type DomainErrorKind } from '../core/errors.js';
import { loggablePath, noteErrorCode } from './request-log.js';

/**
 * The one error type of the project: a value with an HTTP status and a stable machine-readable code.
 * Stores and validators throw it; the middleware below is the only place that turns errors into
 * responses, so no handler builds an error body by hand.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: JsonValue;
  /**
   * Whether `message` may reach the client. 5xx messages never do, except answers about the state
   * of the server rather than faults in it: 501 (an unknown method), 503 (busy, shutting down) and
   * 507 (storage full), whose messages are written for the client.
   */
  readonly expose: boolean;
  headers?: Record<string, string>;

  constructor(status: number, code: string, message: string, details?: JsonValue) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.expose = status < 500 || status === 501 || status === 503 || status === 507;
  }
}

export const badRequest = (code: string, message: string, details?: JsonValue) =>
  new HttpError(400, code, message, details);

export const notFound = (code: string, message: string) => new HttpError(404, code, message);

export function errorHandler(log: (message: string, error: unknown) => void): Middleware {
  return async function handleErrors(ctx, next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw notFound('not_found', `No route for ${ctx.method} ${ctx.path}`);
      }
    } catch (caught) {
      const error = toHttpError(caught);
      // Refusals (storage full, shutting down) are logged once where they start, not per request.
      // Only the path as the request log shows it: GetBadges' URL carries its credential.
      if (!error.expose) log(`${ctx.method} ${loggablePath(ctx.path)} failed`, caught);
      ctx.status = error.status;
      noteErrorCode(ctx.res, error.code);
      ctx.set(error.headers ?? {});
      ctx.body = {
        error: {
          code: error.code,
          message: error.expose ? error.message : 'Internal server error',
          ...(error.expose && error.details !== undefined ? { details: error.details } : {}),
        },
      };
    }
  };
}

/** The status of each kind of refusal the domain core makes. */
const DOMAIN_STATUS: Record<DomainErrorKind, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  too_many: 429,
  unavailable: 503,
  storage_full: 507,
};

/** Errors from Koa itself (e.g. `ctx.throw`) and from Node's HTTP layer carry `status`/`expose` too. */
export function toHttpError(caught: unknown): HttpError {
  if (caught instanceof HttpError) return caught;
  if (caught instanceof DomainError) {
    const error = new HttpError(DOMAIN_STATUS[caught.kind], caught.code, caught.message, caught.details);
    // A refusal of the store is about now, not about the request: say so, and that it is safe to retry.
    if (caught.kind === 'unavailable' || caught.kind === 'storage_full') {
      (error as { expose: boolean }).expose = true;
      error.headers = { 'Retry-After': '5' };
    }
    const retryAfter = (caught.details as { retryAfter?: unknown } | undefined)?.retryAfter;
    if (caught.kind === 'too_many' && typeof retryAfter === 'number') error.headers = { 'Retry-After': String(retryAfter) };
    return error;
  }
  const e = caught as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown };
  const status = Number(e?.status ?? e?.statusCode);
  if (Number.isInteger(status) && status >= 400 && status < 500 && e.expose !== false) {
    const code = String(e.message ?? 'Bad request').toLowerCase().replace(/[^a-z]+/g, '_').replace(/^_|_$/g, '');
    const error = new HttpError(status, code || 'bad_request', String(e.message ?? 'Bad request'));
    error.headers = (e as { headers?: Record<string, string> }).headers;
    return error;
  }
  return new HttpError(500, 'internal', 'Internal server error');
}

