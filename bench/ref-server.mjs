// Reference servers for the read figure, run in their own process like the real server:
//   node bench/ref-server.mjs --size 612 [--koa]
// Bare `node:http` (or Koa + @koa/router with --koa) answering every request with one fixed JSON
// body of exactly --size bytes. Prints "listening on http://127.0.0.1:PORT" once ready; stops on SIGTERM.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { size: { type: 'string', default: '600' }, koa: { type: 'boolean', default: false } } });
const size = Number(values.size);
if (!Number.isInteger(size) || size < 10 || size > 10_000_000) throw new Error(`--size must be 10-10000000, not ${values.size}`);
// {"pad":"xxx…"}: valid JSON like the real answer, 10 bytes plus the padding.
const body = Buffer.from(JSON.stringify({ pad: 'x'.repeat(size - 10) }));
if (body.length !== size) throw new Error(`body is ${body.length} bytes, wanted ${size}`);

let handler;
if (values.koa) {
  const { default: Koa } = await import('koa');
  const { default: Router } = await import('@koa/router');
  const app = new Koa();
  const router = new Router();
  router.get('/v1/:service/users.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = body;
  });
  app.use(router.routes());
  handler = app.callback();
} else {
  handler = (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  };
}

const server = createServer(handler);
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop).once('SIGINT', stop);
// Never outlive the benchmark: it holds our stdin open.
process.stdin.resume();
process.stdin.on('end', stop);
