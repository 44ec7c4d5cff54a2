import type { ErrorBody, JsonValue } from '../types/api.js';

/**
 * A failed call: the HTTP status and the server's error code and message. A server that could not be
 * reached is status 0, code `network_error`, with what `fetch` threw as `cause`.
 */
export class UserBadgesError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: JsonValue,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UserBadgesError';
  }
}

/** How a request proves who sends it. */
export interface Credentials {
  /** The service's secret key. Keep it on your backend. */
  key?: string;
  /**
   * How the service key is proven: `signature` (default) signs each request with HMAC-SHA256 so the key
   * never travels; `header` sends it as `Authorization`.
   */
  auth?: 'signature' | 'header';
  /** A scoped key (`key_…`) and its secret, sent as HTTP Basic; used instead of `key` when given. */
  keyId?: string;
  keySecret?: string;
  /** The operator token, for the admin API (`/admin/...`). */
  adminToken?: string;
  /** Seconds since the epoch; override when your clock is known to be off. */
  now?: () => number;
}

export interface Transport {
  server: string;
  fetch: typeof fetch;
  credentials: Credentials;
}

export interface Request {
  method: string;
  /** The path as sent, its parameters already encoded. */
  path: string;
  query?: Record<string, unknown>;
  body?: unknown;
  /** `service`: the route takes the service's key or a scoped key; `admin`: the operator token. */
  auth: 'public' | 'service' | 'admin';
  /** `json`: the answer parsed; `text`: as text; `response`: the `Response` itself, unread. */
  answer?: 'json' | 'text' | 'response';
}

/** One request: credentials as the route needs them, a refusal thrown as a UserBadgesError. */
export async function send(transport: Transport, request: Request): Promise<unknown> {
  const { method, auth, body } = request;
  const { credentials } = transport;
  const url = new URL(request.path, transport.server);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value === undefined || value === null) continue;
    // Lists are `a,b,c`, as the API reads them.
    url.searchParams.set(name, Array.isArray(value) ? value.join(',') : String(value));
  }
  const headers: Record<string, string> = { accept: request.answer === 'response' ? '*/*' : 'application/json' };
  const text = body === undefined ? '' : JSON.stringify(body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (auth === 'admin' && credentials.adminToken !== undefined) headers.authorization = `Bearer ${credentials.adminToken}`;
  if (auth === 'service') {
    if (credentials.keyId !== undefined && credentials.keySecret !== undefined) headers.authorization = `Basic ${btoa(`${credentials.keyId}:${credentials.keySecret}`)}`;
    else if (credentials.key !== undefined && credentials.auth === 'header') headers.authorization = credentials.key;
    else if (credentials.key !== undefined) {
      const ts = String(Math.floor(credentials.now?.() ?? Date.now() / 1000));
      // Every request distinct, so two identical awards in one second are two awards, not a replay.
      const nonce = newNonce();
      url.searchParams.set('ts', ts);
      url.searchParams.set('nonce', nonce);
      url.searchParams.set('signature', await signRequest(credentials.key, ts, method, url.pathname, text, nonce));
    }
  }
  let response: Response;
  try {
    response = await transport.fetch(url, { method, headers, body: body === undefined ? undefined : text });
  } catch (cause) {
    // fetch's TypeError says "fetch failed"; the reason (refused, DNS, TLS) is in its cause.
    const reason = (cause as { cause?: { message?: string } })?.cause?.message ?? (cause as Error)?.message;
    throw new UserBadgesError(0, 'network_error', `Cannot reach ${url.origin}: ${reason}`, undefined, { cause });
  }
  if (response.ok && request.answer === 'response') return response;
  if (response.ok && request.answer === 'text') return response.text();
  const answer = await response.text();
  let payload: (Partial<ErrorBody> & Record<string, unknown>) | null = null;
  try {
    payload = answer === '' ? null : JSON.parse(answer);
  } catch {
    payload = null;
  }
  if (!response.ok) {
    const error = payload?.error;
    // An older API's refusal (at its compatibility path) is not `{"error": {...}}`: its text is the message.
    let message = error?.message ?? (answer.trim().slice(0, 200) || `HTTP ${response.status}`);
    // With signatures the server cannot tell a wrong key from a request changed on the way; the
    // key is by far the likelier.
    if (error?.code === 'invalid_signature' && credentials.key !== undefined && credentials.keyId === undefined) message = `${message}: is the key right?`;
    throw new UserBadgesError(response.status, error?.code ?? 'http_error', message, error?.details);
  }
  return payload;
}

/**
 * The request signature: hex(HMAC-SHA256(key, ts + "\n" + nonce + "\n" + METHOD + "\n" + PATH + "\n" + BODY)),
 * PATH being the path as sent (percent-encoded), without the query. Without a nonce the line
 * `nonce + "\n"` is left out, as servers before nonces expect.
 */
export async function signRequest(key: string, ts: string, method: string, path: string, body: string, nonce?: string): Promise<string> {
  const encoder = new TextEncoder();
  const cryptoKey = await crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const head = nonce === undefined ? `${ts}\n` : `${ts}\n${nonce}\n`;
  const mac = await crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(`${head}${method.toUpperCase()}\n${path}\n${body}`));
  return hex(new Uint8Array(mac));
}

/** 128 random bits: 22 characters would do, hex keeps it plain. */
const newNonce = () => hex(crypto.getRandomValues(new Uint8Array(16)));

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
