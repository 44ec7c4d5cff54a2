import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Webhook } from 'standardwebhooks';
import type { Endpoint, Message, Outcome } from '../core/access/webhooks.js';
import { guardedLookup, literalBlocked } from './ssrf.js';

export interface SendOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  /** The time signed into `webhook-timestamp`. */
  now: number;
}

/**
 * One attempt: the message POSTed to the endpoint, signed per Standard Webhooks (`webhook-id`, the
 * message id, the same on every attempt so a receiver can drop repeats; `webhook-timestamp`;
 * `webhook-signature`). A 2xx is success; redirects are not followed. Never throws.
 *
 * `timeoutMs` is a deadline for the whole attempt, answer included, not only for silence: a receiver
 * that trickles its answer must not hold the attempt past its lease. At most 64 KiB of the answer
 * is read; nothing of it is kept.
 */
export function send(endpoint: Endpoint, message: Message, { timeoutMs, allowPrivate, now }: SendOptions): Promise<Outcome> {
  const started = performance.now();
  const done = (outcome: Omit<Outcome, 'latencyMs'>): Outcome => ({ ...outcome, latencyMs: Math.round(performance.now() - started) });
  const failed = (error: string) => done({ ok: false, responseCode: null, error, retryAfterMs: null });
  let url: URL;
  try {
    url = new URL(endpoint.url);
  } catch {
    return Promise.resolve(failed('invalid url'));
  }
  if (!allowPrivate && literalBlocked(url)) return Promise.resolve(failed(`${url.hostname} is an address webhooks may not reach (WEBHOOK_ALLOW_PRIVATE=on allows it)`));
  const timestamp = new Date(now);
  const body = Buffer.from(message.payload);
  let signature: string;
  try {
    signature = new Webhook(endpoint.secret).sign(message.id, timestamp, message.payload);
  } catch {
    // A secret that is not base64 (one written by hand into a store, say) fails this attempt, not the job.
    return Promise.resolve(failed('the endpoint secret is not a Standard Webhooks secret (whsec_ and base64)'));
  }
  const headers = {
    'content-type': 'application/json',
    'content-length': String(body.length),
    'user-agent': 'user-badges-webhooks/1',
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(now / 1000)),
    'webhook-signature': signature,
  };
  return new Promise((settle) => {
    let settled = false;
    const resolve = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      settle(outcome);
    };
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers,
      ...(allowPrivate ? {} : { lookup: guardedLookup as never }),
    });
    const deadline = setTimeout(() => {
      resolve(failed(`no complete answer within ${timeoutMs} ms`));
      request.destroy();
    }, timeoutMs);
    request.once('response', (response) => {
      const status = response.statusCode ?? 0;
      const ok = status >= 200 && status < 300;
      const outcome = () => done({ ok, responseCode: status, error: ok ? null : `HTTP ${status}`, retryAfterMs: ok ? null : retryAfterMs(response.headers['retry-after'], now) });
      // The answer's body is not needed: read away (so the connection is freed), up to a limit.
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read <= MAX_ANSWER_BYTES) return;
        resolve(outcome());
        request.destroy();
      });
      response.once('end', () => resolve(outcome()));
      response.once('error', (error) => resolve(done({ ok: false, responseCode: status, error: error.message, retryAfterMs: null })));
    });
    request.once('error', (error) => resolve(failed(error.message)));
    request.end(body);
  });
}

const MAX_ANSWER_BYTES = 64 * 1024;

/** Retry-After as seconds or an HTTP date, in ms; capped at a day. */
function retryAfterMs(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const ms = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 86_400_000) : null;
}
