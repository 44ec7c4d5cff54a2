import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from './app.js';
import { NUMERIC_SETTINGS, settingsFromEnv } from './config.js';
import { createHttpServer } from './http-server.js';
import { gracefulStop } from './shutdown.js';
import { announceServer, localUrl, serverAdminToken, type AdminToken } from './admin-access.js';
import { serviceCommand } from './service-commands.js';
import { exportCommand, importCommand } from './transfer-commands.js';
import { openStore, seedIfEmpty } from './stores/index.js';
import { batchedLines, requestLine } from './request-log.js';

const USAGE = `Usage: user-badges <command> [options]

Commands:
  serve [--port N] [--host H] [--data FILE] [--no-seed] [--OPTION-NAME N ...]
                                 Start the display server (default http://localhost:3000).
                                 A new data file is seeded with the "demo" service unless --no-seed.
                                 Each numeric setting below has a flag: --body-timeout-ms 5000, ...
  service create NAME [--legacy-signatures on|off]
                                 Create a service; prints {"name","key"}
  service list                   List services as JSON lines {"name","createdAt","legacySignatures"}
  service rotate-key NAME        Give a service a new key; prints {"name","key"}
  service show-key NAME          Print a service's key again; prints {"name","key"}
  service set NAME --legacy-signatures on|off
                                 Accept or refuse the legacy SHA1 signature form
  service delete NAME            Delete a service with all its badges and users
  Service commands take --data FILE, and --server URL to use that server's admin API.
  export [--service NAME] [--out FILE]
                                 Write the store (or one service) as JSON Lines, to stdout unless --out
  import FILE                    Load an export (FILE, or - for stdin) into services that do not exist yet
  migrate                        Bring a PostgreSQL database's schema up to date (serve does it too)

Every command takes --database postgres://... (or DATABASE_URL) to use PostgreSQL, the store
that several server processes share, instead of the embedded store in --data.

Environment: PORT, HOST, DATA_FILE (default data/db.json), DATABASE_URL, TEST_SERVICE=on|off,
(whether the service named "test" takes writes without a key; turn it off in production),
CHECKPOINT_BYTES (journal size that starts a checkpoint, default 8 MiB),
HEADERS_TIMEOUT_MS, BODY_TIMEOUT_MS (default 10000 each), BODY_BUDGET_BYTES (bytes that bodies
still arriving may hold together, default 16 MiB), MAX_CONNECTIONS (default 4096),
SHUTDOWN_GRACE_MS (default 10000), STORAGE_RETRY_MS (default 1000),
ADMIN_TOKEN (the operator token of the admin API; serve makes one and keeps it if unset).
While a server runs on the data, service commands go through its admin API (one process owns
the data); otherwise they change the data file directly.`;

/** The folder with package.json, whether running from `server/` (tsx) or `dist/server/`. */
export function packageRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error('package.json not found above ' + import.meta.url);
    folder = parent;
  }
  return folder;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      'no-seed': { type: 'boolean' },
      server: { type: 'string' },
      database: { type: 'string' },
      service: { type: 'string' },
      out: { type: 'string' },
      'legacy-signatures': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...Object.fromEntries(Object.values(NUMERIC_SETTINGS).map(({ flag }) => [flag, { type: 'string' as const }])),
    },
  });
  // A flag stands for its environment variable and is checked the same way.
  const flags: Record<string, string> = {};
  for (const { flag, env: name } of Object.values(NUMERIC_SETTINGS)) {
    const value = (values as Record<string, unknown>)[flag];
    if (typeof value === 'string') flags[name] = value;
  }
  const settings = settingsFromEnv({
    ...env,
    ...(values.port !== undefined ? { PORT: values.port } : {}),
    ...(values.host !== undefined ? { HOST: values.host } : {}),
    ...(values.data !== undefined ? { DATA_FILE: values.data } : {}),
    ...(values.database !== undefined ? { DATABASE_URL: values.database } : {}),
    ...flags,
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }

  if (command === 'serve') return serve(settings, !values['no-seed'], env);

  const transfer = { dataFile: settings.dataFile, database: settings.databaseUrl, service: values.service, out: values.out };
  if (command === 'export' && rest.length === 0) return exportCommand(transfer);
  if (command === 'import' && rest.length === 1) return importCommand(rest[0]!, transfer);
  if (command === 'migrate' && rest.length === 0) {
    if (!settings.databaseUrl) throw new Error('migrate needs --database postgres://... or DATABASE_URL');
    const { migrate } = await import('./stores/postgres/migrations.js');
    const applied = await migrate(settings.databaseUrl);
    console.log(applied.length ? `Applied migrations ${applied.join(', ')}` : 'The schema is up to date');
    return 0;
  }

  if (command === 'service') {
    const options = {
      dataFile: settings.dataFile,
      database: settings.databaseUrl,
      server: values.server,
      legacySignatures: values['legacy-signatures'],
    };
    const code = await serviceCommand(rest, options, env);
    if (code !== undefined) return code;
  }
  console.error(`user-badges: unknown command "${positionals.join(' ')}"\n\n${USAGE}`);
  return 2;
}

async function serve(settings: ReturnType<typeof settingsFromEnv>, seed: boolean, env: NodeJS.ProcessEnv): Promise<number> {
  const log = (message: string, error?: unknown) => console.error(new Date().toISOString(), message, error ?? '');
  const store = await openStore({
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
  // On PostgreSQL there is no data folder to keep a token in, and every instance must accept the
  // same one: the admin API is there when ADMIN_TOKEN is set.
  const admin: AdminToken | null = settings.databaseUrl
    ? env.ADMIN_TOKEN
      ? { source: 'env', token: env.ADMIN_TOKEN, file: '' }
      : null
    : await serverAdminToken(settings.dataFile, env);
  const accessLine = batchedLines((chunk) => process.stdout.write(chunk));
  const app = createApp({
    store,
    config: {
      openTestService: settings.openTestService,
      publicRoot: packageRoot(),
      log,
      requestLog: (entry) => accessLine(requestLine(entry)),
      adminToken: admin?.token,
      bodyTimeoutMs: settings.bodyTimeoutMs,
      bodyBudgetBytes: settings.bodyBudgetBytes,
    },
  });
  const server = createHttpServer(app.callback(), settings);
  const stop = gracefulStop(server);
  server.listen(settings.port, settings.host);
  try {
    await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  } catch (error) {
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
  console.log(`user-badges listening on http://${settings.host}:${port} (${settings.databaseUrl ? `database: ${redact(settings.databaseUrl)}` : `data: ${settings.dataFile}`})`);
  // Seeded only now: had the start failed (the port taken), a key made before would never be shown.
  const seeded = seed ? await seedIfEmpty(store).catch((error) => void log('seeding the demo service failed', error)) : undefined;
  if (seeded) console.log(`Seeded service "${seeded.service}" with key ${seeded.key} (user-badges service show-key ${seeded.service} shows it again)`);
  if (settings.openTestService) console.log('The "test" service takes writes without a key (TEST_SERVICE=off to refuse).');
  console.log(admin ? adminNotice(admin) : 'No admin API: set ADMIN_TOKEN to have one (service commands work on the database directly).');

  return new Promise((resolve) => {
    // Requests already begun are answered (their writes included) before the store closes; a second
    // signal during the grace period ends the process at once.
    const shutdown = async (signal: string) => {
      console.log(`${signal}: closing (up to ${settings.shutdownGraceMs} ms for requests in progress)`);
      const cut = await stop(settings.shutdownGraceMs);
      if (cut > 0) log(`${cut} requests were still in progress after the grace period and were cut`);
      try {
        await withdraw();
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

/** A connection string without its password, for logs. */
const redact = (url: string) => url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');

/** Shown once when made: afterwards only where it is kept. */
function adminNotice({ source, token, file }: AdminToken): string {
  if (source === 'env') return 'Admin API at /admin/services, token from ADMIN_TOKEN.';
  if (source === 'file') return `Admin API at /admin/services, token in ${file}.`;
  return `Admin API at /admin/services with the token ${token} (shown once; kept in ${file}, mode 0600).`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`user-badges: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
