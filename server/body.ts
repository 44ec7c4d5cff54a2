import type { Context } from 'koa';
import { HttpError, badRequest } from './errors.js';

export interface Body {
  /** The bytes as sent: signatures are computed over them. */
  raw: Buffer;
  json: unknown;
}

const JSON_TYPES = /^(application\/([\w.+-]+\+)?json|text\/plain)\s*(;|$)/i;

/**
 * Reads the request body up to `limit` bytes and parses it as JSON. A body is JSON whatever its
 * Content-Type says, except form encodings, which clients of the old API sent by mistake with
 * `curl -d`: those get a 415 that says what to send instead.
 */
export async function readBody(ctx: Context, limit: number): Promise<Body> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw tooLarge(limit);
  const type = ctx.get('content-type');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      ctx.req.destroy();
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks);
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

const tooLarge = (limit: number) => new HttpError(413, 'body_too_large', `The body is larger than ${limit} bytes`);
