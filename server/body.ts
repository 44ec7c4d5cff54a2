import type { Context } from 'koa';
import { HttpError, badRequest } from './errors.js';

export interface Body {
  /** The bytes as sent: signatures are computed over them. */
  raw: Buffer;
  json: unknown;
}

const JSON_TYPES = /^(application\/([\w.+-]+\+)?json|text\/plain)\s*(;|$)/i;

/**
 * Reads the request body up to `limit` bytes and parses it as JSON. A body with no Content-Type, a
 * JSON type or `text/plain` is read as JSON; any other type (a form encoding, typically, which
 * clients of the old API sent by mistake with `curl -d`) gets a 415 that says what to send instead.
 */
export async function readBody(ctx: Context, limit: number): Promise<Body> {
  return parseBody(ctx, await readRawBody(ctx, limit));
}

/** The body's bytes, up to `limit`; a signature is checked over them before they are parsed. */
export async function readRawBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw tooLarge(limit);
  return collect(ctx, limit);
}

/** The bytes read by `readRawBody`, parsed as `readBody` does. */
export function parseBody(ctx: Context, raw: Buffer): Body {
  const type = ctx.get('content-type');
  if (raw.length === 0) return { raw, json: undefined };
  if (type && !JSON_TYPES.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', `Send JSON with "Content-Type: application/json", not ${type.split(';')[0]}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw badRequest('invalid_json', 'The body is not valid UTF-8');
  }
  try {
    return { raw, json: JSON.parse(text) };
  } catch (error) {
    throw badRequest('invalid_json', `The body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * The body's bytes. Past the limit (a chunked body declares no length), the rest is read and
 * dropped so that the client, still sending, receives the 413 rather than a reset connection; a
 * sender that goes on far beyond is cut off.
 */
function collect(ctx: Context, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    ctx.req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size - chunk.length <= limit) reject(tooLarge(limit));
      else if (size > limit * 20) ctx.req.destroy();
    });
    ctx.req.once('end', () => resolve(Buffer.concat(chunks)));
    ctx.req.once('error', reject);
  });
}

function tooLarge(limit: number): HttpError {
  const error = new HttpError(413, 'body_too_large', `The body is larger than ${limit} bytes`);
  error.headers = { Connection: 'close' };
  return error;
}
