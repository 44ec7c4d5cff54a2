// One server of the read-path experiment (see read-path.ts): the same 10k-user data answered by
// the real app or by a stripped-down variant, to show where a read's time goes.
//   node bench/experiments/read-variants.mjs --variant real|flat|flat-frag|flat-cache|node-frag|node-cache --data FILE
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import Koa from 'koa';
import Router from '@koa/router';

const { values } = parseArgs({ options: { variant: { type: 'string' }, data: { type: 'string' } } });
const dist = new URL('../../dist/server/', import.meta.url);
const { openStore } = await import(new URL('stores/index.js', dist).href);
const { createApp } = await import(new URL('app.js', dist).href);
const views = await import(new URL('views.js', dist).href);
const validate = await import(new URL('validate.js', dist).href);
const store = await openStore({ file: values.data });

// Fragment caches: records are immutable (a change replaces the object), so a WeakMap keyed by the
// record is never stale. The validator is built from record identities, so a 304 needs no body.
const userJson = new WeakMap();
const badgeJson = new WeakMap();
const ids = new WeakMap();
let nextId = 0;
const idOf = (record) => {
  let id = ids.get(record);
  if (id === undefined) ids.set(record, (id = (++nextId).toString(36)));
  return id;
};
const cached = (map, record, make) => {
  let text = map.get(record);
  if (text === undefined) map.set(record, (text = JSON.stringify(make(record))));
  return text;
};
async function fragments(service, rawNames) {
  const names = validate.names(rawNames);
  const users = await store.getUsers(service, names);
  const badges = await store.getBadges(service, views.badgesHeld(users));
  const etag = `W/"${users.map(idOf).join('.')}-${badges.map(idOf).join('.')}"`;
  const body = () =>
    `{"badges":{${badges.map((b) => `${JSON.stringify(b.name)}:${cached(badgeJson, b, views.badgeSummary)}`).join(',')}},"users":[${users
      .map((u) => cached(userJson, u, (x) => views.userView(x)))
      .join(',')}]}`;
  return { etag, body };
}

// Whole answers cached by query, checked on every hit against the current records (by identity), so
// a change to any user or badge in the answer rebuilds it. Bounded: cleared at 10,000 entries.
const answers = new Map();
async function cachedAnswer(service, rawNames) {
  const key = `${service}\n${rawNames}`;
  const hit = answers.get(key);
  if (hit) {
    const users = await store.getUsers(service, hit.names);
    const badges = await store.getBadges(service, views.badgesHeld(users));
    if (users.length === hit.users.length && users.every((u, i) => u === hit.users[i]) && badges.length === hit.badges.length && badges.every((b, i) => b === hit.badges[i])) return hit;
  }
  const names = validate.names(rawNames);
  const users = await store.getUsers(service, names);
  const badges = await store.getBadges(service, views.badgesHeld(users));
  const { etag, body } = await fragments(service, rawNames);
  if (answers.size >= 10_000) answers.clear();
  const answer = { names, users, badges, etag, body: Buffer.from(body()) };
  answers.set(key, answer);
  return answer;
}

let handler;
switch (values.variant) {
  case 'real':
    handler = createApp({ store, config: { openTestService: false, log: () => {} } }).callback();
    break;
  case 'flat':
  case 'flat-cache':
  case 'flat-frag': {
    const app = new Koa();
    const router = new Router();
    router.get('/v1/:service/users.json', async (ctx) => {
      const name = validate.serviceName(ctx.params.service);
      if (!(await store.getService(name))) ctx.throw(404);
      ctx.set('Access-Control-Allow-Origin', '*');
      ctx.set('Cache-Control', 'no-cache');
      if (values.variant === 'flat-cache') {
        const answer = await cachedAnswer(name, ctx.query.names);
        ctx.set('ETag', answer.etag);
        if (ctx.get('if-none-match') === answer.etag) return void (ctx.status = 304);
        ctx.type = 'application/json';
        ctx.body = answer.body;
      } else if (values.variant === 'flat') {
        const names = validate.names(ctx.query.names);
        const users = await store.getUsers(name, names);
        const text = JSON.stringify(views.usersView(users, await store.getBadges(name, views.badgesHeld(users))));
        ctx.etag = `"${createHash('sha1').update(text).digest('base64url')}"`;
        if (ctx.fresh) return void (ctx.status = 304);
        ctx.type = 'application/json';
        ctx.body = text;
      } else {
        const { etag, body } = await fragments(name, ctx.query.names);
        ctx.set('ETag', etag);
        if (ctx.get('if-none-match') === etag) return void (ctx.status = 304);
        ctx.type = 'application/json';
        ctx.body = body();
      }
    });
    app.use(router.routes());
    handler = app.callback();
    break;
  }
  case 'node-cache':
  case 'node-frag': {
    const route = /^\/v1\/([^/]+)\/users\.json$/;
    handler = async (req, res) => {
      const url = new URL(req.url, 'http://x');
      const match = route.exec(url.pathname);
      if (!match) return res.writeHead(404).end();
      const names = url.searchParams.get('names') ?? undefined;
      const { etag, body } = values.variant === 'node-cache' ? await cachedAnswer(match[1], names) : await fragments(match[1], names);
      const headers = { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-cache', ETag: etag };
      if (req.headers['if-none-match'] === etag) return res.writeHead(304, headers).end();
      const text = typeof body === 'function' ? body() : body;
      res.writeHead(200, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) }).end(text);
    };
    break;
  }
  default:
    throw new Error(`unknown --variant ${values.variant}`);
}
const server = createServer(handler);
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
const stop = () => {
  server.close();
  server.closeAllConnections();
  store.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop).once('SIGINT', stop);
