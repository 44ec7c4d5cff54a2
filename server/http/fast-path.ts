import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { SERVICE_NAME } from '../../types/api.js';
import { UsersQuery } from '../../types/schema.js';
import { matchesETag } from './etag.js';
import { answerHeaders, answerKey, type Answer, type ReadCache } from '../cache/read-cache.js';
import type { ReadOptions } from '../cache/views.js';
import { responseTime } from './middleware/response-time.js';
import * as validate from './validate.js';

/** A read as the route's schema reads it: names, and every option the answer cache takes. */
interface Read {
  service: string;
  names: string[];
  options: ReadOptions;
  /** What the answer cache keeps it under (see answerKey). */
  key: string;
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
export function fastUsersReads(reads: ReadCache): (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean> {
  // Parsing and validating a URL costs more than answering it from the cache: remember valid reads
  // of ordinary length (at most 10,000 x 2 KB, whatever anyone sends).
  const parsed = new Map<string, Read>();

  // A kept answer is sent in the request's own turn: no promise, no await (issue 25: the reads
  // every page makes, at a fraction of bare node:http's rate).
  return function fastRead(req, res) {
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
    const kept = reads.kept(read.key);
    if (kept) return send(req, res, kept, started);
    return reads.usersByName(read.service, read.names, read.options, read.key).then((answer) => (answer ? send(req, res, answer, started) : false));
  };
}

function send(req: IncomingMessage, res: ServerResponse, answer: Answer, started: number): true {
  // A new object each time (answerHeaders), so it is added to rather than copied.
  const headers = answerHeaders(answer.etag);
  headers['X-Response-Time'] = responseTime(started);
  if (matchesETag(req.headers['if-none-match'] ?? '', answer.etag)) {
    res.writeHead(304, headers).end();
  } else {
    headers['Content-Type'] = 'application/json; charset=utf-8';
    headers['Content-Length'] = String(answer.body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  }
  return true;
}

/**
 * The read a URL asks for, or null if it is anything but a valid `?names=` read. The query is
 * parsed as Koa parses it and checked against the route's own schema, so `states`, `tags`, `issuer`
 * and `program` are read here exactly as there (issue 25: they went through Koa, at half the speed).
 */
function parse(url: string): Read | null {
  const question = url.indexOf('?');
  const match = question > 0 ? USERS_PATH.exec(url.slice(0, question)) : null;
  if (!match || !SERVICE_NAME.test(match[1]!)) return null;
  try {
    const raw = parseQuery(url.slice(question + 1));
    // A parameter the route does not read is Koa's to judge: credentials in a URL are refused there.
    for (const key in raw) if (!(key in UsersQuery.properties)) return null;
    const { names, sort, states, tags, issuer, program, ...paging } = validate.query(UsersQuery, raw);
    // A list a page at a time is Koa's: the fast path answers named reads only.
    if (!names || Object.keys(paging).length > 0) return null;
    const options = { sort, states, tags, issuer, program };
    return { service: match[1]!, names, options, key: answerKey(match[1]!, names, options) };
  } catch {
    return null;
  }
}
