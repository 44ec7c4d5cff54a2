import type { IncomingMessage, ServerResponse } from 'node:http';

/** One answered (or abandoned) request, as the access log records it. */
export interface RequestLogEntry {
  method: string;
  /** The path only: a query may carry a signature, or a key sent there by mistake. */
  path: string;
  status: number;
  /** The error code of a refusal, as in its body. */
  code?: string;
  ms: number;
  /** The connection closed before the answer was sent in full. */
  aborted?: true;
}

export type RequestLog = (entry: RequestLogEntry) => void;

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
      const path = redact(question < 0 ? url : url.slice(0, question));
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
export const requestLine = (entry: RequestLogEntry): string => JSON.stringify({ time: new Date().toISOString(), ...entry });

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

/** GetBadges' URL carries its credential in the path (`/v0/event/log/<service>.<id>.<secret>`): the secret is not logged. */
function redact(path: string): string {
  return path.startsWith('/v0/event/log/') ? path.replace(/^(\/v0\/event\/log\/[^/.]*\.[^/.]*)\.[^/]*/, '$1.***') : path;
}
