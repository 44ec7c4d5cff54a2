import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { createApp } from '../app/create-app.js';
import { seedIfEmpty } from '../app/open-store.js';
import { appConfigOf } from '../config/app.js';
import { keepHeapNearData } from '../config/heap.js';
import { packageRoot } from '../config/package-root.js';
import { declarations, redactUrl, type Settings } from '../config/settings.js';
import type { Store } from '../core/ports.js';
import { adminView } from '../http/routes/admin.js';
import { createHttpServer } from '../http/http-server.js';
import { batchedLines, requestLine } from '../http/request-log.js';
import { gracefulStop } from '../http/shutdown.js';
import { openStore } from '../stores/index.js';
import { announceServer, localUrl, serverAdminToken, type AdminToken } from './admin-access.js';
import type { Call, Command } from './command.js';
import { explainDatabaseError } from './database-errors.js';
import { refuseIfMoved } from './moved.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Start the display server (default http://localhost:3000)',
  details: [
    'A new store gets the "demo" service once the server listens (not in production). Every setting below is checked at start; every wrong one is named at once.',
    'In production (--production or NODE_ENV=production) no demo is seeded, the "test" service needs a key like any other, new services refuse the legacy SHA1 signatures, and each unsafe setting left on is named at start.',
  ],
  // Every setting: serve is what they are for.
  flags: declarations().map(([name]) => name),
  examples: ['user-badges serve --port 8080', 'DATABASE_URL=postgres://badges@db/badges ADMIN_TOKEN=... user-badges serve --production --host 0.0.0.0'],
  run: (call) => serve(call),
};

async function serve({ settings, warnings: given }: Call): Promise<number> {
  keepHeapNearData();
  const log = (message: string, error?: unknown) => console.error(new Date().toISOString(), message, error ?? '');
  if (!settings.databaseUrl) await refuseIfMoved(settings.dataFile);
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore({
      file: settings.dataFile,
      database: settings.databaseUrl,
      checkpointBytes: settings.checkpointBytes,
      retryMs: settings.storageRetryMs,
      onError: (error, writesRefused) => {
        if (settings.databaseUrl) return log('database error', error);
        if (!writesRefused) return log('checkpoint failed; it will be retried', error);
        log(`storage failed; refusing writes (507/503) and serving reads, retrying every ${settings.storageRetryMs} ms`, error);
      },
      onRecover: () => log('storage takes writes again'),
      onDropped: (dropped) => {
        for (const d of dropped) log(`journal recovery dropped ${d.bytes} bytes at byte ${d.offset} of ${d.file}: ${d.reason}`);
      },
    });
  } catch (error) {
    throw settings.databaseUrl ? explainDatabaseError(error, settings.databaseUrl) : error;
  }
  // On PostgreSQL there is no data folder to keep a token in, and every instance must accept the
  // same one: the admin API is there when ADMIN_TOKEN is set.
  const admin: AdminToken | null = settings.databaseUrl
    ? settings.adminToken
      ? { source: 'env', token: settings.adminToken, file: '' }
      : null
    : await serverAdminToken(settings.dataFile, settings.adminToken);
  const accessLine = batchedLines((chunk) => process.stdout.write(chunk));
  const app = createApp({
    store,
    config: {
      ...appConfigOf(settings),
      publicRoot: packageRoot(),
      log,
      requestLog: settings.requestLog ? (entry) => accessLine(requestLine(entry)) : null,
      adminToken: admin?.token,
      exportFrom: settings.databaseUrl ? null : { store: 'embedded', file: resolve(settings.dataFile), host: hostname() },
    },
  });
  const server = createHttpServer(app.callback(), settings);
  const stop = gracefulStop(server);
  server.listen(settings.port, settings.host);
  try {
    await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  } catch (error) {
    await app.background.stop();
    await store.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${settings.port} on ${settings.host} is taken: stop what listens there or choose another (--port)`);
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  // Service commands find a server that owns the data file through this note; a database has no owner.
  // Made before "listening" is printed: whoever waits for that line may signal the process at once.
  const withdraw = settings.databaseUrl ? async () => {} : await announceServer(settings.dataFile, localUrl(settings.host, port));
  const where = settings.databaseUrl ? `database: ${redactUrl(settings.databaseUrl)}` : `data: ${settings.dataFile}`;
  console.log(`user-badges listening on http://${settings.host}:${port} (${where}${settings.production ? '; production' : ''})`);
  for (const warning of [...given, ...(settings.production ? await unsafe(settings, store) : [])]) console.log(`Warning: ${warning}`);
  // Seeded only now: had the start failed (the port taken), a key made before would never be shown.
  const seeded = settings.seed ? await seedIfEmpty(store, { learning: true }).catch((error) => void log('seeding the demo service failed', error)) : undefined;
  if (seeded) console.log(`Seeded service "${seeded.service}" with key ${seeded.key} (user-badges service show-key ${seeded.service} shows it again)`);
  if (settings.testService) console.log('The "test" service takes writes without a key (TEST_SERVICE=off to refuse).');
  console.log(admin ? adminNotice(admin) : 'No admin API: set ADMIN_TOKEN to have one (service commands work on the database directly).');

  return new Promise((resolve) => {
    // Requests already begun are answered (their writes included) before the store closes; a second
    // signal during the grace period ends the process at once.
    const shutdown = async (signal: string) => {
      console.log(`${signal}: closing (up to ${settings.shutdownGraceMs} ms for requests in progress)`);
      // Live streams never end by themselves: each gets a last event, so its page reconnects elsewhere.
      app.live.close();
      const cut = await stop(settings.shutdownGraceMs);
      if (cut > 0) log(`${cut} requests were still in progress after the grace period and were cut`);
      try {
        await withdraw();
        await app.background.stop();
        await store.close();
        resolve(0);
      } catch (error) {
        log('closing the store failed', error);
        resolve(1);
      }
    };
    process.once('SIGINT', shutdown).once('SIGTERM', shutdown);
  });
}

/** What production should not have left on: each said at start, with how to turn it off. */
async function unsafe(settings: Settings, store: Store): Promise<string[]> {
  const said: string[] = [];
  if (settings.testService) said.push('the "test" service takes writes without a key (TEST_SERVICE=on): turn it off (TEST_SERVICE=off)');
  if (settings.seed) said.push('a new store gets the demo service and its key is printed (SEED=on): SEED=off');
  if (settings.webhookAllowPrivate) said.push('webhook endpoints may be on loopback and private addresses (WEBHOOK_ALLOW_PRIVATE=on): anyone with a service key can make the server call into your network');
  if (settings.databaseUrl && /\/\/[^:/@]+:pw@|\/\/postgres:postgres@/.test(settings.databaseUrl)) said.push('the database password is a well-known one (is this the development database of "user-badges postgres start"?)');
  if (!settings.issuerKeySecret) said.push('Open Badges 3.0 credentials are not signed without ISSUER_KEY_SECRET, the secret that encrypts issuer keys at rest (hosted 2.0 assertions are served): set it (openssl rand -base64 32)');
  if (!settings.publicUrl) said.push('Open Badges are published under whatever origin each request names (its Host header), and every credential issued keeps it for good: set PUBLIC_URL to the public origin (https://badges.example.com)');
  const services = await store.listServices();
  const legacy = services.filter((s) => adminView(s).legacySignatures).map((s) => s.name);
  if (legacy.length > 0) {
    said.push(`${legacy.length === 1 ? 'service' : 'services'} ${legacy.slice(0, 5).join(', ')}${legacy.length > 5 ? ', ...' : ''} accept the legacy SHA1 signatures: user-badges service set NAME --legacy-signatures off, once no client needs them`);
  }
  for (const demo of ['demo', 'learning']) {
    if (services.some((s) => s.name === demo)) said.push(`the "${demo}" service seeded for the demo is here, its key printed at its first start: user-badges service delete ${demo}`);
  }
  return said;
}

/** Shown once when made: afterwards only where it is kept. */
function adminNotice({ source, token, file }: AdminToken): string {
  if (source === 'env') return 'Admin API at /admin/services, token from ADMIN_TOKEN.';
  if (source === 'file') return `Admin API at /admin/services, token in ${file}.`;
  return `Admin API at /admin/services with the token ${token} (shown once; kept in ${file}, mode 0600).`;
}
