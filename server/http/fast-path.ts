import type { IncomingMessage, ServerResponse } from 'node:http';
import { SERVICE_NAME, type SortKey } from '../../types/api.js';
import { matchesETag } from './etag.js';
import { answerHeaders, type ReadCache } from '../cache/read-cache.js';
import { responseTime } from './middleware/response-time.js';
import * as validate from './validate.js';

interface Read {
  service: string;
  names: string[];
  sort?: SortKey;
}

const USERS_PATH = /^\/v1\/([^/]+)\/users\.json$/;

/**
 * `GET /v1/:service/users.json?names=...`, the read every widget on every page makes, answered
 * before Koa: Koa's per-request work alone (context objects, middleware, response handling) costs
 * twice what `node:http` does, and this read is served from the answer cache. It takes only
 * well-formed requests it can answer with a 200 or 304; it declines (returns false) everything else,
 * invalid input and unknown services included, and Koa answers those, errors and all. The test suite
 * checks that both paths give the same status, headers and body.
 */
export function fastUsersReads(reads: ReadCache): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  // Parsing and validating a URL costs more than answering it from the cache: remember valid reads
  // of ordinary length (at most 10,000 x 2 KB, whatever anyone sends).
  const parsed = new Map<string, Read>();

  return async function fastRead(req, res) {
    const started = performance.now();
    const url = req.url ?? '';
    let read = parsed.get(url);
    if (read === undefined) {
      const fresh = parse(url);
      if (!fresh) return false;
      read = fresh;
      if (url.length <= 2048) {
        if (parsed.size >= 10_000) parsed.clear();
        parsed.set(url, read);
      }
    }
    const answer = await reads.usersByName(read.service, read.names, { sort: read.sort });
    if (!answer) return false;
    const headers = { ...answerHeaders(answer.etag), 'X-Response-Time': responseTime(started) };
    if (matchesETag(req.headers['if-none-match'] ?? '', answer.etag)) {
      res.writeHead(304, headers).end();
    } else {
      res.writeHead(200, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(answer.body.length) });
      res.end(req.method === 'HEAD' ? undefined : answer.body);
    }
    return true;
  };
}

/** The read a URL asks for, or null if it is anything but a valid `?names=` (and `sort=`) read. */
function parse(url: string): Read | null {
  const question = url.indexOf('?');
  const match = question > 0 ? USERS_PATH.exec(url.slice(0, question)) : null;
  if (!match || !SERVICE_NAME.test(match[1]!)) return null;
  const names: string[] = [];
  let sort: string | undefined;
  for (const pair of url.slice(question + 1).split('&')) {
    const equals = pair.indexOf('=');
    const name = equals < 0 ? pair : pair.slice(0, equals);
    let value: string;
    try {
      // As Koa's query parser reads it: "+" is a space.
      value = decodeURIComponent((equals < 0 ? '' : pair.slice(equals + 1)).replace(/\+/g, ' '));
    } catch {
      return null;
    }
    // Repeated names are one list, as Koa's route reads them; a repeated sort is Koa's 400.
    if (name === 'names') names.push(value);
    else if (name === 'sort' && sort === undefined) sort = value;
    else return null;
  }
  try {
    const list = validate.names(names.length === 0 ? undefined : names);
    return list ? { service: match[1]!, names: list, sort: validate.sort(sort) } : null;
  } catch {
    return null;
  }
}
