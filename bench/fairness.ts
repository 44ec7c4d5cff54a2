/**
 * Fairness at the HTTP edge and in webhook delivery (issue 18): one client, one tenant or one
 * receiver must not slow the others. Each figure is measured against the built server in a child
 * process (`bin/user-badges.js serve`), on the embedded store and on PostgreSQL, and printed beside
 * its target:
 *
 *   F1  200 stalled request bodies from one client address (127.0.0.1): another client's writes
 *       (127.0.0.2, another service), p99 <= 100 ms.
 *   F2  32 webhook endpoints of service A that never answer, with 96 deliveries owed: service B's
 *       deliveries, from an award's answer to its arrival, p99 <= 1 s.
 *   F3  8 anonymous clients paging A's activity feed deep (page 100 by number, and 30,000 entries
 *       down by cursor): B's reads p99 <= 50 ms; a cursor page costs the same deep as on top.
 *   F4  SIGTERM while 50 clients write in a loop over keep-alive connections: client errors, 0.
 *
 * npm run bench -- fairness [--store lowdb|postgres|both]
 */
import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { within } from '../server/core/deadline.js';
import { serve } from '../test/support/serve.js';
import type { Group } from './lib/group.js';
import type { Figure as Row } from './lib/report.js';
import { startPostgres, type BenchPostgres } from './postgres.js';

const ADMIN = 'bench-admin-token';
const OTHER = '127.0.0.2';

export interface Figure {
  id: string;
  store: 'lowdb' | 'postgres';
  what: string;
  measured: string;
  target: string;
  pass: boolean | null;
}

interface Server {
  child: ChildProcess;
  base: string;
  port: number;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// The server, and requests to it

/** `bin/user-badges.js serve` on the built code, through the spawner the tests and the other figures use. */
async function startServer(target: { file: string } | { database: string }): Promise<Server> {
  const served = await serve([...('file' in target ? ['--data', target.file] : ['--database', target.database]), '--no-seed'], {
    built: true,
    // DATABASE_URL is for the bench's PostgreSQL; in a server's environment it would turn a lowdb server into one on it.
    env: { DATABASE_URL: undefined, ADMIN_TOKEN: ADMIN, TEST_SERVICE: 'off', REQUEST_LOG: 'off', WEBHOOK_ALLOW_PRIVATE: 'on', NODE_ENV: 'production' },
    timeoutMs: 60_000,
    keepBytes: 64 * 1024,
  });
  const exited = served.exited.then(({ code }) => code);
  return {
    child: served.child,
    base: served.base,
    port: served.port,
    exited,
    async stop() {
      await within(served.stop('SIGTERM'), 30_000, 'the server stopping').catch(() => served.child.kill('SIGKILL'));
    },
  };
}

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  ms: number;
}

function call(server: Server, method: string, path: string, { body, headers = {}, agent, from }: { body?: unknown; headers?: Record<string, string>; agent?: Agent; from?: string } = {}): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method,
        path,
        agent: agent ?? false,
        ...(from ? { localAddress: from } : {}),
        headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }), ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, ms: performance.now() - started }));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(payload);
  });
}

async function service(server: Server, name: string): Promise<string> {
  const made = await call(server, 'POST', '/admin/services', { body: { name }, headers: { authorization: `Bearer ${ADMIN}` } });
  if (made.status !== 201) throw new Error(`creating ${name}: ${made.status} ${made.body}`);
  const key = JSON.parse(made.body).key as string;
  await call(server, 'PUT', `/v1/${name}/badges.json`, { body: { badges: Array.from({ length: 10 }, (_, i) => ({ name: `b${i}` })) }, headers: { authorization: key } });
  return key;
}

// ---------------------------------------------------------------------------------------------------
// Figures

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;

/** F1: 200 bodies from one address stall; another address writes. */
async function stalledBodies(server: Server, store: Figure['store']): Promise<Figure> {
  const a = await service(server, 'stalling');
  const b = await service(server, 'writing');
  const writes = async (from: number) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const latencies: number[] = [];
    const errors: string[] = [];
    for (let i = from, until = performance.now() + 5000; performance.now() < until; i++) {
      const answer = await call(server, 'PUT', `/v1/writing/users/u${i % 500}.json`, { body: { badges: [`b${i % 10}`] }, headers: { authorization: b }, agent, from: OTHER });
      if (answer.status === 200) latencies.push(answer.ms);
      else errors.push(String(answer.status));
    }
    agent.destroy();
    return { latencies, errors };
  };
  const alone = await writes(0);
  const sockets: Socket[] = [];
  const answered: number[] = [];
  for (let i = 0; i < 200; i++) {
    const socket = connect({ port: server.port, host: '127.0.0.1' });
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1]);
      if (status) answered.push(status);
    });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    // As much as a chunked body may carry before the route's limit, then nothing.
    socket.write(`POST /v1/stalling/events.json HTTP/1.1\r\nHost: x\r\nAuthorization: ${a}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
    socket.write(`${(90_000).toString(16)}\r\n${' '.repeat(90_000)}\r\n`);
    sockets.push(socket);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  const { latencies, errors } = await writes(100_000);
  for (const socket of sockets) socket.destroy();
  const p99 = percentile(latencies, 99);
  return {
    id: 'F1',
    store,
    what: "200 stalled bodies (90 KB each, chunked) from one address: another address's writes to another service",
    measured: `${latencies.length} writes in 5 s, p50 ${ms(percentile(latencies, 50))}, p99 ${ms(p99)}, non-200 ${errors.length} (before the stalled bodies: ${alone.latencies.length} writes, p50 ${ms(percentile(alone.latencies, 50))}, p99 ${ms(percentile(alone.latencies, 99))}); of the 200 stalled bodies ${answered.filter((s) => s === 503).length} were refused at once (503 busy: past the address's 4 MiB share)`,
    target: 'p99 <= 100 ms',
    pass: errors.length === 0 && p99 <= 100,
  };
}

/** F2: 32 hanging endpoints of A; B's deliveries. */
async function hangingReceivers(server: Server, store: Figure['store']): Promise<Figure> {
  const arrivals = new Map<string, number>();
  const hanging = new Set<() => void>();
  const receiver = createServer((req, res) => {
    req.resume();
    req.once('end', () => {
      if (req.url?.startsWith('/hang/')) return void hanging.add(() => res.destroy());
      arrivals.set(String(req.headers['webhook-id']), performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const where = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  const a = await service(server, 'hanging');
  const b = await service(server, 'waiting');
  // A's quota of endpoints (20 by default) raised for it, as an operator would.
  await call(server, 'PATCH', '/admin/services/hanging/quotas', { body: { webhook_endpoints: 32 }, headers: { authorization: `Bearer ${ADMIN}` } });
  for (let i = 0; i < 32; i++) {
    const made = await call(server, 'POST', '/v1/hanging/webhooks.json', { body: { url: `${where}/hang/${i}`, events: ['award.created'] }, headers: { authorization: a } });
    if (made.status !== 201) throw new Error(`endpoint: ${made.status} ${made.body}`);
  }
  await call(server, 'POST', '/v1/waiting/webhooks.json', { body: { url: `${where}/b`, events: ['award.created'] }, headers: { authorization: b } });
  for (let i = 0; i < 3; i++) await call(server, 'PUT', `/v1/hanging/users/a${i}.json`, { body: { badges: ['b0'] }, headers: { authorization: a } });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const delays: number[] = [];
  for (let i = 0; i < 100; i++) {
    const before = arrivals.size;
    await call(server, 'PUT', `/v1/waiting/users/w${i}.json`, { body: { badges: ['b1'] }, headers: { authorization: b } });
    const at = performance.now();
    const end = at + 60_000;
    while (arrivals.size === before && performance.now() < end) await new Promise((resolve) => setTimeout(resolve, 2));
    delays.push(arrivals.size > before ? [...arrivals.values()].at(-1)! - at : 60_000);
  }
  for (const cut of hanging) cut();
  receiver.closeAllConnections();
  receiver.close();
  const p99 = percentile(delays, 99);
  return {
    id: 'F2',
    store,
    what: "32 endpoints of service A that never answer (96 deliveries owed): service B's deliveries, award answered to delivery arrived, 100 one at a time",
    measured: `p50 ${ms(percentile(delays, 50))}, p99 ${ms(p99)}, max ${ms(Math.max(...delays))}`,
    target: 'p99 <= 1 s',
    pass: p99 <= 1000,
  };
}

/** F3: anonymous deep paging of A's feed; B's reads. */
async function deepPaging(server: Server, store: Figure['store']): Promise<Figure[]> {
  const a = await service(server, 'feed');
  await service(server, 'reader');
  // 30,000 activity entries: 3,000 writes of 10 awards each.
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  for (let i = 0; i < 3000; i += 8) {
    await Promise.all(Array.from({ length: 8 }, (_, j) => call(server, 'PUT', `/v1/feed/users/f${(i + j) % 1000}.json`, { body: { badges: Array.from({ length: 10 }, (_, k) => `b${k}`) }, headers: { authorization: a }, agent })));
  }
  const reads = async (ms: number) => {
    const latencies: number[] = [];
    const readAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let until = performance.now() + ms, i = 0; performance.now() < until; i++) {
      // Through Koa, not the cache of users.json: a read of the other service that does work.
      const answer = await call(server, 'GET', `/v1/reader/badges.json?page=1&page_size=${5 + (i % 5)}`, { agent: readAgent, from: OTHER });
      if (answer.status === 200) latencies.push(answer.ms);
    }
    readAgent.destroy();
    return latencies;
  };
  const alone = await reads(3000);
  // A cursor deep in the feed, and what one page costs there and on top.
  let cursorPath = '/v1/feed/activity.json?page_size=1000';
  for (let i = 0; i < 29; i++) cursorPath = JSON.parse((await call(server, 'GET', cursorPath, { agent })).body).paging.next.replace('page_size=1000', 'page_size=100');
  const top = [];
  const deep = [];
  for (let i = 0; i < 30; i++) {
    top.push((await call(server, 'GET', '/v1/feed/activity.json?page_size=100', { agent })).ms);
    deep.push((await call(server, 'GET', cursorPath, { agent })).ms);
  }
  let running = true;
  const pagers = Array.from({ length: 8 }, async (_, i) => {
    const pagerAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    while (running) await call(server, 'GET', i % 2 ? '/v1/feed/activity.json?page=100&page_size=100' : cursorPath, { agent: pagerAgent });
    pagerAgent.destroy();
  });
  const during = await reads(5000);
  running = false;
  await Promise.all(pagers);
  agent.destroy();
  const p99 = percentile(during, 99);
  return [
    {
      id: 'F3',
      store,
      what: "8 anonymous clients paging service A's activity feed deep (page 100 of 100 by number; 29,000 entries down by cursor): service B's reads",
      measured: `B's reads p50 ${ms(percentile(during, 50))}, p99 ${ms(p99)} (alone: p50 ${ms(percentile(alone, 50))}, p99 ${ms(percentile(alone, 99))})`,
      target: 'p99 <= 50 ms',
      pass: p99 <= 50,
    },
    {
      id: 'F3 depth',
      store,
      what: 'One page of 100 by cursor: on top of the feed and 29,000 entries down (30 each, one at a time)',
      measured: `top median ${ms(percentile(top, 50))}, deep median ${ms(percentile(deep, 50))} (deep / top = ${(percentile(deep, 50) / percentile(top, 50)).toFixed(2)})`,
      target: 'the same at any depth (reported)',
      pass: null,
    },
  ];
}

/** F4: SIGTERM under steady keep-alive load. */
async function drain(server: Server, store: Figure['store']): Promise<Figure> {
  const key = await service(server, 'draining');
  const errors: string[] = [];
  let answers = 0;
  let closing = 0;
  const clients = Array.from({ length: 50 }, async (_, i) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (;;) {
        const answer = await call(server, 'PUT', `/v1/draining/users/c${i}.json`, { body: { badges: ['b0'] }, headers: { authorization: key }, agent }).catch((error: Error) => {
          errors.push(error.message);
          return null;
        });
        if (!answer) return;
        if (++answers === 2000) server.child.kill('SIGTERM');
        if (answer.status !== 200) errors.push(String(answer.status));
        if (answer.headers.connection === 'close') return void closing++;
      }
    } finally {
      agent.destroy();
    }
  });
  await within(Promise.all(clients), 120_000, 'the clients ending after SIGTERM');
  const code = await server.exited;
  return {
    id: 'F4',
    store,
    what: 'SIGTERM while 50 clients write in a loop over keep-alive connections (each stops at an answer with Connection: close)',
    measured: `${answers} answers, ${closing} clients told Connection: close, client errors ${errors.length}${errors.length ? ` (${[...new Set(errors)].join(', ')})` : ''}; exit code ${code}`,
    target: '0 client errors',
    pass: errors.length === 0 && code === 0,
  };
}

// ---------------------------------------------------------------------------------------------------


export interface FairnessOptions {
  stores?: Figure['store'][];
  log?: (message: string) => void;
  /** The PostgreSQL to measure on (the bench run's); without it, one of its own, stopped at the end. */
  postgres?: () => Promise<BenchPostgres>;
}

/** Every figure on the stores asked for; servers and the embedded PostgreSQL are stopped whatever happens. */
export async function runFairness({ stores = ['lowdb', 'postgres'], log = console.log, postgres: given }: FairnessOptions = {}): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'user-badges-fairness-'));
  // The embedded PostgreSQL runs as its own user (when we are root): it must reach its folder in here.
  await chmod(dir, 0o755);
  const figures: Figure[] = [];
  let own: BenchPostgres | undefined;
  const postgres = given ?? (async () => (own ??= await startPostgres(join(dir, 'pg'), log)));
  try {
    for (const store of stores) {
      let n = 0;
      const target = async () => {
        if (store === 'lowdb') return { file: join(dir, `db-${++n}`, 'db.json') };
        return { database: await (await postgres()).createDatabase(`fairness_${++n}`) };
      };
      const server = await startServer(await target());
      try {
        for (const measure of [stalledBodies, hangingReceivers]) {
          const figure = await measure(server, store);
          figures.push(figure);
          log(line(figure));
        }
        for (const figure of await deepPaging(server, store)) {
          figures.push(figure);
          log(line(figure));
        }
      } finally {
        await server.stop();
      }
      const draining = await startServer(await target());
      try {
        const figure = await drain(draining, store);
        figures.push(figure);
        log(line(figure));
      } finally {
        await draining.stop();
      }
    }
  } finally {
    await own?.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}

const line = (f: Figure) => `${f.id.padEnd(8)} ${f.store.padEnd(8)} ${f.pass === null ? '      ' : f.pass ? 'PASS  ' : 'FAIL  '} ${f.measured}  [target: ${f.target}]\n         ${f.what}`;

/** The figures of issue 18 as a group of `npm run bench` (`npm run bench -- fairness`), on the stores `--store` names. */
export const fairness: Group = {
  name: 'fairness',
  summary: 'One client, tenant or receiver does not slow the others: stalled bodies, hanging receivers, deep feeds, SIGTERM under load (F1-F4, each store)',
  figures: ['fairness'],
  postgres: true,
  async run(bench) {
    if (!bench.wants('fairness')) return;
    const stores = [...(bench.options.lowdb ? ['lowdb' as const] : []), ...(bench.options.postgres ? ['postgres' as const] : [])];
    const figures = await runFairness({ stores, log: (message) => bench.log(message), postgres: () => bench.postgres() });
    const rows: Row[] = figures.map((f) => ({ id: f.store === 'postgres' ? `P${f.id}` : f.id, figure: `${f.what} (${f.store === 'postgres' ? 'PostgreSQL' : 'embedded store'})`, measured: f.measured, target: f.target, pass: f.pass }));
    return { figures: rows, raw: figures };
  },
};
