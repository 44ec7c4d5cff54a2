import type { Context } from 'koa';
import { HttpError, badRequest } from './errors.js';

export interface Body {
  /** The bytes as sent: signatures are computed over them. */
  raw: Buffer;
  json: unknown;
}

/**
 * The bytes held by bodies still arriving, across all connections, against a budget: a body holds
 * what has arrived of it, taken chunk by chunk, never what it declares or what its route may take.
 * So connections that start bodies and stall hold nothing they did not send, and every byte held is
 * counted. One peer (a remote address; an IPv6 /64) may hold at most `peerLimit` of it: however many
 * bodies it starts, the others' bodies find room.
 */
export class BodyBudget {
  private held = 0;
  private readonly byPeer = new Map<string, number>();

  constructor(
    readonly limit: number,
    readonly peerLimit: number = limit,
  ) {}

  /** Takes `bytes` for `peer`; false (taking nothing) when the budget or the peer's share would be overrun. */
  take(peer: string, bytes: number): boolean {
    const mine = this.byPeer.get(peer) ?? 0;
    if (this.held + bytes > this.limit || mine + bytes > this.peerLimit) return false;
    this.held += bytes;
    this.byPeer.set(peer, mine + bytes);
    return true;
  }

  give(peer: string, bytes: number): void {
    if (bytes === 0) return;
    this.held -= bytes;
    const left = (this.byPeer.get(peer) ?? 0) - bytes;
    if (left > 0) this.byPeer.set(peer, left);
    else this.byPeer.delete(peer);
  }

  get used(): number {
    return this.held;
  }

  usedBy(peer: string): number {
    return this.byPeer.get(peer) ?? 0;
  }
}

/**
 * Whose share a connection's bodies count against: its IPv4 address, or the /64 of an IPv6 one (a
 * single host is commonly given a whole /64, so its addresses are one peer).
 */
export function peerOf(address: string | undefined): string {
  if (address === undefined) return '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** How bodies are read; `createApp` puts one on `app.context.bodies`, shared by all requests. */
export interface BodyRules {
  /** A body must have arrived this long after reading it began. */
  timeoutMs: number;
  budget: BodyBudget;
}

const JSON_TYPES = /^(application\/([\w.+-]+\+)?json|text\/plain)\s*(;|$)/i;

/**
 * Reads the request body up to `limit` bytes and parses it as JSON. A body with no Content-Type, a
 * JSON type or `text/plain` is read as JSON; any other type (a form encoding, typically, which
 * clients of the old API sent by mistake with `curl -d`) gets a 415 that says what to send instead.
 * A body that does not arrive within the deadline gets a 408; one that would overrun the budget of
 * bodies in progress (or its peer's share of it), a 503 as soon as it would. Both close the connection.
 */
export async function readBody(ctx: Context, limit: number, rules: BodyRules = rulesOf(ctx)): Promise<Body> {
  return parseBody(ctx, await readRawBody(ctx, limit, rules));
}

/** The body's bytes, up to `limit`; a signature is checked over them before they are parsed. */
export async function readRawBody(ctx: Context, limit: number, rules: BodyRules = rulesOf(ctx)): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw tooLarge(limit);
  return collect(ctx, limit, rules);
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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw badRequest('invalid_json', `The body is not valid JSON: ${(error as Error).message}`);
  }
  // JSON.parse reads 1e999 as Infinity, which JSON cannot write back: it would be saved and answered
  // as null, and null means "remove this field".
  if (hasNonFinite(json)) throw badRequest('invalid_number', 'The body holds a number too large for JSON (like 1e999)');
  return { raw, json };
}

/**
 * The body's bytes. Past the limit (a chunked body declares no length), or past the budget, the rest
 * is read and dropped so that the client, still sending, receives the 413 (or 503) rather than a
 * reset connection; a sender that goes on far beyond is cut off. A client that goes away mid-body
 * is a 400 `body_incomplete` like any refusal: the request log's line, nothing on stderr.
 */
function collect(ctx: Context, limit: number, { timeoutMs, budget }: BodyRules): Promise<Buffer> {
  const req = ctx.req;
  const peer = peerOf(req.socket.remoteAddress);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let held = 0;
    let settled = false;
    const settle = (error: unknown, body?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      budget.give(peer, held);
      held = 0;
      if (error) {
        chunks.length = 0;
        reject(error);
      } else resolve(body!);
    };
    const timer = setTimeout(() => {
      settle(closing(new HttpError(408, 'body_timeout', `The body did not arrive within ${timeoutMs / 1000} s (BODY_TIMEOUT_MS)`)));
    }, timeoutMs);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (settled) {
        if (size > limit * 20) req.destroy();
        return;
      }
      if (size > limit) return settle(tooLarge(limit));
      if (!budget.take(peer, chunk.length)) return settle(busy());
      held += chunk.length;
      chunks.push(chunk);
    });
    req.once('end', () => settle(null, Buffer.concat(chunks)));
    // The client went away before the body ended (Node says "aborted", or the socket's error).
    // Checked first: 'close' follows every request, and an error made for nothing costs a stack trace.
    req.once('error', () => settled || settle(incomplete()));
    req.once('close', () => settled || settle(incomplete()));
  });
}

const busy = () =>
  closing(new HttpError(503, 'busy', 'Too many request bodies are arriving at once (beyond BODY_BUDGET_BYTES, or this address\'s BODY_PEER_BUDGET_BYTES); retry shortly'), { 'Retry-After': '1' });
const incomplete = () => closing(new HttpError(400, 'body_incomplete', 'The connection closed before the body ended'));

function rulesOf(ctx: Context): BodyRules {
  const rules = (ctx as { bodies?: BodyRules }).bodies;
  if (!rules) throw new Error('readBody needs app.context.bodies (set by createApp)');
  return rules;
}

function tooLarge(limit: number): HttpError {
  return closing(new HttpError(413, 'body_too_large', `The body is larger than ${limit} bytes`));
}

/** The rest of such a request is not read: the connection cannot carry another one. */
function closing(error: HttpError, headers: Record<string, string> = {}): HttpError {
  error.headers = { ...headers, Connection: 'close' };
  return error;
}

/** Whether a parsed JSON value holds ±Infinity; iterative, as a hostile body may nest deeply. */
function hasNonFinite(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'number' && !Number.isFinite(item)) return true;
    if (typeof item === 'object' && item !== null) for (const child of Object.values(item)) stack.push(child);
  }
  return false;
}
