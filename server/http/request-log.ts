import type { IncomingMessage, ServerResponse } from 'node:http';

import type { RequestLog, RequestLogEntry } from '../config/request-log.js';

export type { RequestLog, RequestLogEntry };

/** Long enough for any real path; a 16 KB junk URL does not make a 16 KB log line. */
const MAX_PATH = 512;

const errorCodes = new WeakMap<ServerResponse, string>();

/** The error middleware leaves the code here: the log sees the Node response, not Koa's context. */
export const noteErrorCode = (res: ServerResponse, code: string) => void errorCodes.set(res, code);

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/**
 * Wraps the whole request handler, fast path included, so every request is one entry whatever
 * answers it. A listener and a clock read are all it adds before the answer.
 */
export function logRequests(handler: Handler, log: RequestLog): Handler {
  return (req, res) => {
    const started = performance.now();
    res.once('close', () => {
      const url = req.url ?? '';
      const question = url.indexOf('?');
      const path = loggable(question < 0 ? url : url.slice(0, question));
      const entry: RequestLogEntry = {
        method: req.method ?? '',
        path: path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}...` : path,
        status: res.statusCode,
        ms: Math.round((performance.now() - started) * 10) / 10,
      };
      const code = errorCodes.get(res);
      if (code !== undefined) entry.code = code;
      if (!res.writableFinished) entry.aborted = true;
      log(entry);
    });
    return handler(req, res);
  };
}

/** One JSON line per request, for `serve`; JSON escapes whatever bytes a path holds. */
export const requestLine = (entry: RequestLogEntry): string => JSON.stringify({ time: isoNow(), ...entry });

/** The time now, formatted once a millisecond: under load, dozens of requests end in each. */
function isoNow(): string {
  const now = Date.now();
  if (now !== lastTime) {
    lastTime = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}
let lastTime = NaN;
let lastIso = '';

/**
 * loggablePath, with the paths judged to hold no secret remembered: judging one (decoding,
 * folding, three expressions) cost a microsecond of every request, and most requests repeat a
 * few paths. A path that holds a secret is judged again each time, so no secret is kept.
 */
function loggable(path: string): string {
  if (plainPaths.has(path)) return path;
  const shown = loggablePath(path);
  if (shown === path && path.length <= 256) {
    if (plainPaths.size >= 1000) plainPaths.clear();
    plainPaths.add(path);
  }
  return shown;
}
const plainPaths = new Set<string>();

/**
 * Collects lines and writes them once per turn of the event loop: under load, one write for many
 * requests instead of one system call each (stdout to a pipe or file is synchronous).
 */
export function batchedLines(write: (chunk: string) => void): (line: string) => void {
  let pending = '';
  const flush = () => {
    const chunk = pending;
    pending = '';
    write(chunk);
  };
  return (line) => {
    if (pending === '') setImmediate(flush);
    pending += `${line}\n`;
  };
}

/**
 * A path as it may be written to a log. GetBadges' URL carries its credential in the path
 * (`/v0/event/log/<service>.<id>.<secret>`) and a claim code's path carries the code: both are
 * starred, however the path spells them. The router takes `/V0/EVENT/LOG/...` and percent-encoded
 * dots as the same URL, and a path it does not route may still hold a real secret sent by mistake,
 * so the path is judged as decoded, in lower case, with repeated slashes and dot segments folded;
 * a path that holds neither is logged as sent.
 */
export function loggablePath(path: string): string {
  const plain = folded(path);
  const log = /\/v0\/event\/log(?![a-z0-9_-])/.exec(plain);
  const code = plain.search(/\/claim-codes\/[^/]/);
  if (!log && code < 0) return path;
  let shown = plain;
  if (log) {
    const token = shown.slice(log.index + log[0].length).replace(/^\//, '');
    // The service and the token's id say which integration it was; the secret is its last part.
    const kept = /^([a-z0-9][a-z0-9_-]{0,63}\.[0-9a-f]{12})\.[^/]*$/.exec(token)?.[1];
    shown = `${shown.slice(0, log.index)}/v0/event/log/${kept === undefined ? '***' : `${kept}.***`}`;
  }
  return shown.replace(/\/claim-codes\/[^/]+/g, '/claim-codes/***');
}

/** The path decoded (twice over, as a proxy in front may decode once more), lower case, `//` and `/./` folded. */
function folded(path: string): string {
  let text = path;
  for (let i = 0; i < 3 && text.includes('%'); i++) {
    try {
      text = decodeURIComponent(text);
    } catch {
      // A malformed escape stays as sent; the rest is still judged.
      text = text.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      break;
    }
  }
  return text.toLowerCase().replace(/\\/g, '/').replace(/\/{2,}/g, '/').replace(/\/(\.\/)+/g, '/');
}
