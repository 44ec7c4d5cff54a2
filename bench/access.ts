/**
 * Figures of issue 11 (`npm run bench -- access`, or `--only 6`): awarding 1,000 addresses in one
 * request, and webhooks: deliveries per second to a local receiver, how long a delivery waits after
 * its award, and how soon deliveries catch up once a receiver that was down is back. The server is
 * the built CLI in a child process (lowdb on a file, or PostgreSQL); the receiver is a plain HTTP
 * server in this process that answers at once (it does not verify signatures, to measure the sender).
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { cli, serve } from '../test/support/serve.js';
import type { Group } from './lib/group.js';

export const access: Group = {
  name: 'access',
  summary: 'Awards to 1,000 addresses in one request, and webhooks: deliveries/s, delay, recovery (6a lowdb, 6b PostgreSQL)',
  figures: ['6'],
  postgres: true,
  run: async (bench) => {
    if (!bench.wants('6')) return;
    const stores: AccessBenchOptions['stores'] = [
      ...(bench.options.lowdb ? [{ kind: 'lowdb' as const }] : []),
      ...(bench.options.postgres ? [{ kind: 'postgres' as const, database: async () => (await bench.postgres()).createDatabase(`access_${Date.now()}`) }] : []),
    ];
    return accessFigures({ root: bench.root, dir: bench.runDir, stores, quick: bench.options.quick, log: (m) => bench.log(m), track: bench.track });
  },
};

export interface AccessFigure {
  id: string;
  figure: string;
  measured: string;
  target: string;
  pass: boolean | null;
}

export interface AccessBenchOptions {
  root: string;
  dir: string;
  /** The stores to measure; a PostgreSQL one makes a fresh database per store. */
  stores: ({ kind: 'lowdb' } | { kind: 'postgres'; database: () => Promise<string> })[];
  quick: boolean;
  log: (message: string) => void;
  track: (child: ChildProcess) => ChildProcess;
}

const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export async function accessFigures(options: AccessBenchOptions): Promise<{ figures: AccessFigure[]; raw: Record<string, unknown> }> {
  const figures: AccessFigure[] = [];
  const raw: Record<string, unknown> = {};
  for (const store of options.stores) {
    const name = store.kind === 'lowdb' ? 'lowdb' : 'PostgreSQL';
    const place = store.kind === 'lowdb' ? ['--data', join(options.dir, `access-${Date.now()}`, 'db.json')] : ['--database', await store.database()];
    options.log(`issue 11 figures on ${name}`);
    const result = await measureStore(options, place);
    raw[store.kind] = result;
    const suffix = store.kind === 'lowdb' ? 'a' : 'b';
    figures.push(
      {
        id: `6${suffix}`,
        figure: `${name}: POST badges/:badge/awards.json with 1,000 addresses in one request`,
        measured: `new addresses (INVITED) median ${ms(result.bulk.invited.median)} ms; known addresses (AWARDED) median ${ms(result.bulk.awarded.median)} ms (of ${result.bulk.runs} each)`,
        target: 'reported',
        pass: null,
      },
      {
        id: `6${suffix}`,
        figure: `${name}: webhook deliveries/s to a local receiver (${result.throughput.messages} award.created from one bulk award)`,
        measured: `${result.throughput.perSecond.toFixed(0)} deliveries/s (all in ${ms(result.throughput.ms)} ms)`,
        target: 'reported',
        pass: null,
      },
      {
        id: `6${suffix}`,
        figure: `${name}: delay from an award's answer to its delivery, receiver up (${result.delay.count} awards, one at a time)`,
        measured: `p50 ${ms(result.delay.p50)} ms, p99 ${ms(result.delay.p99)} ms`,
        target: 'reported',
        pass: null,
      },
      {
        id: `6${suffix}`,
        figure: `${name}: receiver down (503) while ${result.recovery.messages} deliveries were made, up ${result.recovery.downMs / 1000} s later`,
        measured: `all delivered ${ms(result.recovery.afterUpMs)} ms after it was back (the schedule's 5 s retry: attempts ${result.recovery.attempts})`,
        target: 'reported',
        pass: null,
      },
    );
  }
  return { figures, raw };
}

async function measureStore(options: AccessBenchOptions, place: string[]) {
  const created = await cli(['service', 'create', 'bench', ...place], {}, { built: true });
  if (created.code !== 0) throw new Error(`service create failed: ${created.stderr}`);
  const key = JSON.parse(created.stdout).key as string;
  const served = await serve(['--no-seed', ...place], { built: true, env: { WEBHOOK_ALLOW_PRIVATE: 'on', REQUEST_LOG: 'off', TEST_SERVICE: 'off' } });
  options.track(served.child);
  const server = { base: served.base, stop: () => served.stop() };
  const receiver = await startReceiver();
  try {
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(server.base + path, { method, headers: { authorization: key, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
      return JSON.parse(text);
    };
    await call('PUT', '/v1/bench/badges.json', { badges: [{ name: 'thanks' }, { name: 'speaker' }] });

    // Bulk award: 1,000 new addresses (invitations), then 1,000 addresses users have (awards).
    const runs = options.quick ? 2 : 5;
    const invited: number[] = [];
    const awarded: number[] = [];
    for (let run = 0; run < runs; run++) {
      const emails = Array.from({ length: 1000 }, (_, i) => `r${run}-p${i}@bench.example`);
      let t = performance.now();
      await call('POST', '/v1/bench/badges/thanks/awards.json', { emails });
      invited.push(performance.now() - t);
      for (let i = 0; i < 1000; i += 100) {
        await Promise.all(emails.slice(i, i + 100).map((email, j) => call('PUT', `/v1/bench/users/r${run}u${i + j}/emails.json`, { emails: [email] })));
      }
      t = performance.now();
      await call('POST', '/v1/bench/badges/speaker/awards.json', { emails });
      awarded.push(performance.now() - t);
    }
    const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

    // Throughput: one bulk award to 1,000 users owes the endpoint 1,000 deliveries.
    await call('POST', '/v1/bench/webhooks.json', { url: `${receiver.base}/hook`, events: ['award.created'] });
    const users = Array.from({ length: 1000 }, (_, i) => `t${i}`);
    receiver.reset();
    let t0 = performance.now();
    await call('POST', '/v1/bench/badges/thanks/awards.json', { users });
    await receiver.until(1000);
    const throughputMs = performance.now() - t0;

    // Delay: awards one at a time, each timed from its answer to its delivery.
    const count = options.quick ? 50 : 200;
    receiver.reset();
    const answered: number[] = [];
    for (let i = 0; i < count; i++) {
      await call('PUT', `/v1/bench/users/d${i}.json`, { badges: ['thanks'] });
      answered.push(performance.now());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await receiver.until(count);
    const delays = receiver.arrivals().map((at, i) => at - answered[i]!).sort((a, b) => a - b);

    // Recovery: the receiver answers 503 for a while; the first retry comes 5 s after each failure.
    receiver.reset();
    receiver.down = true;
    const downMs = 3000;
    const messages = 200;
    t0 = performance.now();
    await call('POST', '/v1/bench/badges/thanks/awards.json', { users: Array.from({ length: messages }, (_, i) => `x${i}`) });
    await new Promise((resolve) => setTimeout(resolve, downMs - (performance.now() - t0)));
    receiver.down = false;
    const up = performance.now();
    await receiver.until(messages, 60_000);
    return {
      bulk: { runs, invited: { median: median(invited), all: invited }, awarded: { median: median(awarded), all: awarded } },
      throughput: { messages: 1000, ms: throughputMs, perSecond: 1000 / (throughputMs / 1000) },
      delay: { count, p50: quantile(delays, 0.5), p99: quantile(delays, 0.99), max: delays.at(-1) },
      recovery: { messages, downMs, afterUpMs: receiver.lastSuccess() - up, attempts: receiver.requests() },
    };
  } finally {
    await receiver.close();
    await server.stop();
  }
}

/** Answers at once (204), or 503 while `down`; records when each success arrived. */
async function startReceiver() {
  let successes: number[] = [];
  let requests = 0;
  const state = { down: false };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      if (state.down) return void res.writeHead(503).end();
      successes.push(performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    set down(value: boolean) {
      state.down = value;
    },
    reset() {
      successes = [];
      requests = 0;
    },
    arrivals: () => successes,
    lastSuccess: () => successes.at(-1) ?? NaN,
    requests: () => requests,
    async until(count: number, timeoutMs = 30_000) {
      const end = performance.now() + timeoutMs;
      while (successes.length < count) {
        if (performance.now() > end) throw new Error(`receiver: ${successes.length} of ${count} deliveries after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    },
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
