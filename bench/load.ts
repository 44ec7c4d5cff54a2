/**
 * The load generator: autocannon in a process of its own, driven by `bench/run.ts` over IPC, so
 * neither the server nor a second load shares its event loop.
 *
 *   parent -> { type: 'run', id, spec }      child -> { type: 'ready' } once, then { type: 'result', id, result }
 *
 * Writes are real `PUT /v1/:service/users/:name.json` awards to users drawn from a seeded sequence
 * (so two runs award the same users in the same order), one badge each, `Authorization: <key>`.
 */
import autocannon from 'autocannon';
import { prng, userNames } from './generate.js';

export interface RequestSpec {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface WriteSpec {
  service: string;
  key: string;
  /** Size of the data set: users are drawn from its names. */
  users: number;
  badges: string[];
  seed: number;
  /** Share of awards that go to users who do not exist yet (created by the award). */
  newUsers?: number;
  /**
   * Growth instead (issue 25): every award goes to a new user `grow-<seed>-<n>` until `perUser`
   * awards each (of the first `perUser` badges) are made, users in order; the load ends at `users` x `perUser`.
   */
  grow?: { perUser: number };
}

export interface LoadSpec {
  title: string;
  /** Origin, e.g. http://127.0.0.1:1234 */
  url: string;
  connections: number;
  /** Seconds. */
  duration: number;
  /** Cycled through in order by every connection. */
  requests?: RequestSpec[];
  writes?: WriteSpec;
}

export interface LoadResult {
  title: string;
  connections: number;
  /** Seconds actually measured. */
  seconds: number;
  sent: number;
  completed: number;
  ok: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  resets: number;
  /** Responses per second: all, and 2xx only. */
  rate: number;
  okRate: number;
  /** Milliseconds, all responses (autocannon records whole milliseconds). */
  latency: { mean: number; p50: number; p90: number; p97_5: number; p99: number; max: number };
  bytes: number;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const options: autocannon.Options = {
    url: spec.url,
    connections: spec.connections,
    duration: spec.duration,
    timeout: 10,
    pipelining: 1,
  };
  if (spec.writes?.grow) {
    const w = spec.writes;
    const { perUser } = w.grow!;
    let made = 0;
    options.amount = w.users * perUser;
    options.headers = { authorization: w.key, 'content-type': 'application/json' };
    options.requests = [
      {
        method: 'PUT',
        setupRequest: (request) => {
          const n = made++;
          const body = JSON.stringify({ badges: [w.badges[n % perUser]!] });
          return { ...request, method: 'PUT', path: `/v1/${w.service}/users/grow-${w.seed}-${Math.floor(n / perUser)}.json`, body };
        },
      },
    ];
  } else if (spec.writes) {
    const w = spec.writes;
    const names = userNames(w.users);
    const random = prng(w.seed);
    let created = 0;
    options.headers = { authorization: w.key, 'content-type': 'application/json' };
    options.requests = [
      {
        method: 'PUT',
        setupRequest: (request) => {
          const name = random() < (w.newUsers ?? 0) ? `bench-new-${w.seed}-${created++}` : names[Math.floor(random() * names.length)]!;
          const badge = w.badges[Math.floor(random() * w.badges.length)]!;
          return {
            ...request,
            method: 'PUT',
            path: `/v1/${w.service}/users/${encodeURIComponent(name)}.json`,
            body: JSON.stringify({ badges: [badge] }),
          };
        },
      },
    ];
  } else {
    options.requests = (spec.requests ?? [{ path: '/' }]).map((r) => ({ method: (r.method ?? 'GET') as 'GET', path: r.path, headers: r.headers, body: r.body }));
  }
  const result = await autocannon(options);
  const seconds = result.duration;
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = count;
  const completed = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  return {
    title: spec.title,
    connections: spec.connections,
    seconds,
    sent: result.requests.sent,
    completed,
    ok: result['2xx'],
    non2xx: result.non2xx,
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
    resets: result.resets,
    rate: completed / seconds,
    okRate: result['2xx'] / seconds,
    latency: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p97_5: result.latency.p97_5,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    bytes: result.throughput.total,
  };
}

// As a child process: take runs from the parent until it disconnects.
if (process.send && process.argv.includes('--child')) {
  process.on('message', (message: { type: string; id: number; spec: LoadSpec }) => {
    if (message.type !== 'run') return;
    runLoad(message.spec).then(
      (result) => process.send!({ type: 'result', id: message.id, result }),
      (error: Error) => process.send!({ type: 'error', id: message.id, error: error.stack ?? error.message }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready' });
}
