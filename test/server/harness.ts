import { createServer, type Server } from 'node:http';
import type Koa from 'koa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../server/app/create-app.js';
import type { AppConfig } from '../../server/config/app.js';
import { openStore, type OpenStoreOptions } from '../../server/app/open-store.js';
import { dropDatabase, withPostgres } from '../support/postgres.js';
import { within } from '../support/deadline.js';
import type { Store } from '../../server/core/ports.js';
import { composeDomain } from '../../server/app/domain.js';
import type { Domain } from '../../server/core/domain.js';

export interface Harness {
  base: string;
  store: Store & { seeded?: { service: string; key: string } };
  /** Writes through the domain core, as the routes make them. */
  domain: Domain;
  /** The demo service's key. */
  key: string;
  /** The app's background jobs (wake one and await `settled` to run it now). */
  background: App['background'];
  request: (method: string, path: string, options?: { body?: unknown; raw?: string | Buffer; headers?: Record<string, string> }) => Promise<{
    status: number;
    headers: Headers;
    json: any;
    text: string;
  }>;
  close: () => Promise<void>;
}

/** The real app on a port the OS picks, over a seeded store (in memory unless `file` is given). */
export async function start(options: { config?: Partial<AppConfig>; store?: OpenStoreOptions; beforeListen?: (app: Koa) => void } = {}): Promise<Harness> {
  // TEST_STORE=postgres runs the HTTP suites on PostgreSQL (a database of their own per harness);
  // a test that names a file means the embedded store.
  const onPostgres = process.env.TEST_STORE === 'postgres' && !options.store?.file && !options.store?.database;
  const database = onPostgres ? await withPostgres() : undefined;
  const store = await openStore({ seed: true, ...options.store, ...(database ? { database } : {}) });
  const app = createApp({ store, config: { log: () => {}, ...options.config } });
  options.beforeListen?.(app);
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    base,
    store,
    domain: composeDomain(store, { now: options.config?.now }),
    key: store.seeded?.key ?? '',
    background: app.background,
    async request(method, path, { body, raw, headers = {} } = {}) {
      const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
      const response = await fetch(base + path, {
        method,
        body: payload,
        headers: payload === undefined ? headers : { 'content-type': 'application/json', ...headers },
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, json, text };
    },
    async close() {
      server.closeAllConnections();
      await within(new Promise((resolve) => server.close(resolve)), 30_000, `closing the test server at ${base}`);
      await within(app.background.stop(), 60_000, 'the background jobs finishing their rounds');
      await within(store.close(), 60_000, 'closing the store');
      if (database) await dropDatabase(database);
    },
  };
}

export async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'user-badges-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
