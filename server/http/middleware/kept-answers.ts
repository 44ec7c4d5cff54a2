import type { Context, Middleware } from 'koa';
import type { KeptAnswer } from '../../stores/replays.js';

/** Set in `ctx.state` by a request that used up a signature: reports the answer it was sent. */
export interface AnswerKeeper {
  answered?: (answer: KeptAnswer | null) => void;
}

/**
 * Mounted outside the error handler, so it sees every answer as it is sent, errors included: gives
 * the replay memory the answer of a request that used up a signature, for identical repeats.
 */
export const keepAnswers: Middleware<AnswerKeeper> = async (ctx, next) => {
  let finished = false;
  try {
    await next();
    finished = true;
  } finally {
    ctx.state.answered?.(finished ? sentAnswer(ctx) : null);
  }
};

/** An identical repeat: the first answer again, byte for byte, marked as such. */
export function sendAgain(ctx: Context, kept: KeptAnswer): void {
  ctx.status = kept.status;
  ctx.body = kept.body;
  if (kept.type) ctx.set('Content-Type', kept.type);
  ctx.set('X-Replay', 'true');
}

function sentAnswer(ctx: Context): KeptAnswer | null {
  const body: unknown = ctx.body;
  if (Buffer.isBuffer(body) || typeof (body as { pipe?: unknown } | null)?.pipe === 'function') return null;
  // Serialised here, once, so that the repeat is byte for byte what was sent.
  const text = body === null || body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  if (typeof body === 'object' && body !== null) ctx.body = text;
  return { status: ctx.status, type: ctx.response.get('Content-Type') as string, body: text };
}
