import type { WebhookPayload } from '../types/webhook-schema.js';

export type { WebhookPayload, WebhookPayloadOf } from '../types/webhook-schema.js';

/** Why a webhook request was not taken as the server's: `code` says which check failed. */
export class WebhookVerificationError extends Error {
  constructor(
    readonly code: 'missing_headers' | 'invalid_secret' | 'stale_timestamp' | 'invalid_signature' | 'invalid_payload',
    message: string,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may be from now, either way; 300 s (Standard Webhooks' 5 minutes) unless said. */
  toleranceSeconds?: number;
  /** Seconds since the epoch. */
  now?: () => number;
}

/** Headers as Node's `request.headers` has them, or a fetch `Headers`. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/**
 * Checks a webhook request as Standard Webhooks says (what the server's sender signs,
 * server/webhooks/send.ts): `webhook-signature` holds `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`
 * (one of several, space-separated), keyed with the endpoint's `whsec_` secret, base64-decoded;
 * `webhook-timestamp` within the tolerance of now. The body must be the raw one, as received: parsed
 * and serialised again, it no longer matches. Answers the payload; throws a WebhookVerificationError.
 *
 * Drop repeats by `webhook-id`: delivery is at least once.
 */
export async function verifyWebhook(secret: string, body: string | Uint8Array, headers: WebhookHeaders, options: VerifyWebhookOptions = {}): Promise<WebhookPayload> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing_headers', 'The request lacks webhook-id, webhook-timestamp or webhook-signature');
  const key = secretBytes(secret);
  const now = options.now?.() ?? Date.now() / 1000;
  const tolerance = options.toleranceSeconds ?? 300;
  const sent = /^\d+$/.test(timestamp) ? Number(timestamp) : NaN;
  if (!(Math.abs(now - sent) <= tolerance)) throw new WebhookVerificationError('stale_timestamp', `webhook-timestamp ${timestamp} is not within ${tolerance} s of now`);

  const encoder = new TextEncoder();
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  const head = encoder.encode(`${id}.${timestamp}.`);
  const signed = new Uint8Array(head.length + bytes.length);
  signed.set(head);
  signed.set(bytes, head.length);
  const cryptoKey = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const expected = new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, signed));
  const matches = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => base64Bytes(entry.slice(3)))
    .some((given) => given !== null && sameBytes(given, expected));
  if (!matches) throw new WebhookVerificationError('invalid_signature', 'No v1 signature of webhook-signature matches the body with this secret');
  try {
    return JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body)) as WebhookPayload;
  } catch {
    throw new WebhookVerificationError('invalid_payload', 'The body is signed but not JSON');
  }
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const value = record[name] ?? Object.entries(record).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value.join(' ') : value;
}

function secretBytes(secret: string): Uint8Array<ArrayBuffer> {
  const bytes = typeof secret === 'string' && secret.startsWith('whsec_') ? base64Bytes(secret.slice('whsec_'.length)) : null;
  if (!bytes || bytes.length === 0) throw new WebhookVerificationError('invalid_secret', "The secret is not the endpoint's (whsec_ and base64)");
  return bytes;
}

function base64Bytes(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Equal, in a time that depends on the length only: a forger learns nothing from how long a refusal takes. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
