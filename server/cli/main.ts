import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../app/create-app.js';
import { NUMERIC_SETTINGS, settingsFromEnv } from '../config/app.js';
import { createHttpServer } from '../http/http-server.js';
import { gracefulStop } from '../http/shutdown.js';
import { liveFromEnv } from '../config/live.js';
import { packageRoot } from '../config/package-root.js';
import { announceServer, localUrl, serverAdminToken, type AdminToken } from './admin-access.js';
import { integrationCommand } from './integrations.js';
import { serviceCommand, UsageError } from './services.js';
import { keyCommand } from './keys.js';
import { USER_USAGE, userCommand } from './users.js';
import { accessFromEnv } from '../config/access.js';
import { exportCommand, importCommand } from './transfer.js';
import { openStore } from '../stores/index.js';
import { seedIfEmpty } from '../app/open-store.js';
import { batchedLines, requestLine } from '../http/request-log.js';

const USAGE = `Usage: user-badges <command> [options]

Commands:
  serve                          Start the display server (default http://localhost:3000).
                                 A new store gets the "demo" service once the server listens.
    --port N                     Port to listen on (default 3000; 0 picks a free one)
    --host H                     Address to listen on (default localhost; 0.0.0.0 for every interface)
    --no-seed                    Leave a new store empty
    --headers-timeout-ms N  --body-timeout-ms N  --body-budget-bytes N
    --max-connections N  --shutdown-grace-ms N  --storage-retry-ms N
                                 Limits on clients, shutdown and storage retries (see Environment)
  service list                   List services as JSON lines {"name","createdAt","legacySignatures"}
  service create NAME [--legacy-signatures on|off]
                                 Create a service; prints {"name","key"}
  service show-key NAME          Print a service's key again; prints {"name","key"}
  service rotate-key NAME [--grace 24h]
                                 Give a service a new key; prints {"name","key"}. With --grace the
                                 old key keeps working until then (s, m, h or d)
  service set NAME --legacy-signatures on|off
                                 Accept or refuse the legacy SHA1 signature form
  service delete NAME            Delete a service with all its badges and users
    --server URL                 Use that server's admin API (the token from ADMIN_TOKEN)
  integration create SERVICE [--name NAME]
                                 A token for GetBadges' URL POST /v0/event/log/TOKEN;
                                 prints {"id","name","token","url"}
  key list SERVICE               The service's scoped keys as JSON lines, without secrets
  key create SERVICE --label TEXT --operations award,revoke,manage_badges,read_private
             [--badges a,b] [--expires 30d]
                                 Make a key that may do only that; prints it with its secret once
  key revoke SERVICE ID          Revoke a scoped key (every server refuses it from then on)
${USER_USAGE}
  export [--service NAME] [--out FILE]
                                 Write the store (or one service) as JSON Lines, to stdout unless --out
  import FILE                    Load an export (FILE, or - for stdin) into services that do not exist yet
  migrate                        Bring a PostgreSQL database's schema up to date (serve does it too)

Options of every command:
  --data FILE                    The embedded store's main file (default data/db.json)
  --database postgres://...      Use PostgreSQL, which several servers can share, instead of --data
  -h, --help                     Print this text
  --version                      Print the version of user-badges

Service commands go through the admin API of a server that runs on the data, else change the data.

Environment (a flag wins over its variable):
  PORT, HOST, DATA_FILE, DATABASE_URL
                                 As --port, --host, --data, --database
  TEST_SERVICE=on|off            Whether the service named "test" takes writes without a key
                                 (default on; turn it off in production)
  REQUEST_LOG=on|off             One JSON line per request on stdout (default on)
  CHECKPOINT_BYTES               Journal size that starts a checkpoint (default 8 MiB)
  HEADERS_TIMEOUT_MS             Headers must arrive within this time (default 10000)
  BODY_TIMEOUT_MS                A body must arrive within this time of its headers (default 10000)
  BODY_BUDGET_BYTES              Bytes that bodies still arriving may hold together (default 16 MiB)
  MAX_CONNECTIONS                Open connections at most (default 4096)
  SHUTDOWN_GRACE_MS              On SIGTERM, how long requests in progress may take (default 10000)
  STORAGE_RETRY_MS               While the disk refuses writes, how often to retry (default 1000)
  ADMIN_TOKEN                    The admin API's operator token; serve makes one and keeps it if unset
  INVITATION_TTL                 Invitations (awards to addresses nobody has yet) expire after this
                                 (default 90d; 0: never)
  WEBHOOK_ALLOW_PRIVATE=on|off   Whether webhook endpoints may be on loopback or private addresses
                                 (default off)
  WEBHOOK_LEASE_MS               How long an instance holds a delivery it sends (default 60000)
  WEBHOOK_RETRY_SCALE            A factor on the Standard Webhooks retry schedule (default 1)
  WEBHOOK_POLL_MS                How often due deliveries are looked for besides new ones (default 1000)
  WEBHOOK_LOG_RETENTION          How long webhook messages and attempts are kept (default 30d)
  LIVE_MAX_STREAMS               Live streams (Server-Sent Events) this server holds at most (default 10000;
                                 each is a connection too: raise MAX_CONNECTIONS with it)
  LIVE_MAX_PER_IP                Live streams from one address at most (default 32)
  LIVE_MAX_PER_SERVICE           Live streams of one service at most (default 5000)
  LIVE_HEARTBEAT_MS              How often a live stream says it is alive (default 25000)`;

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  try {
    return await run(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`user-badges: ${error.message}\nRun "user-badges --help" for the commands and options.`);
    return 2;
  }
}

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  if (values.version) {
    console.log(packageVersion());
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  // A flag stands for its environment variable and is checked the same way; a message about a value
  // names the flag when that is what the user typed.
  const fromFlags: Record<string, string> = {};
  const typed: Record<string, string> = {};
  const flagged: [string, string | undefined][] = [
    ['PORT', 'port'],
    ['HOST', 'host'],
    ['DATA_FILE', 'data'],
    ['DATABASE_URL', 'database'],
    ...Object.values(NUMERIC_SETTINGS).map(({ env: name, flag }): [string, string] => [name, flag]),
  ];
  for (const [name, flag] of flagged) {
    const value = (values as Record<string, unknown>)[flag!];
    if (typeof value !== 'string') continue;
    fromFlags[name] = value;
    typed[name] = `--${flag}`;
  }
  const settings = settingsFromEnv({ ...env, ...fromFlags }, typed);

  if (command === 'serve') {
    if (rest.length > 0) throw new UsageError(`serve takes no arguments, but got "${rest.join(' ')}"`);
    return serve(settings, !values['no-seed'], env);
  }
  if (command === 'service') {
    return serviceCommand(rest, {
      dataFile: settings.dataFile,
      database: settings.databaseUrl,
      server: values.server,
      legacySignatures: values['legacy-signatures'],
      grace: values.grace,
    }, env);
  }
  if (command === 'key') {
    return keyCommand(rest, {
      dataFile: settings.dataFile,
      database: settings.databaseUrl,
      server: values.server,
      label: values.label,
      operations: values.operations,
      badges: values.badges,
      expires: values.expires,
    }, env);
  }
  if (command === 'integration') {
    return integrationCommand(rest, { dataFile: settings.dataFile, database: settings.databaseUrl, server: values.server, name: values.name }, env);
  }
  if (command === 'user') return userCommand(rest, { dataFile: settings.dataFile, database: settings.databaseUrl, server: values.server }, env);
  const transfer = { dataFile: settings.dataFile, database: settings.databaseUrl, service: values.service, out: values.out };
  if (command === 'export') {
    if (rest.length > 0) throw new UsageError(`export takes no arguments, but got "${rest.join(' ')}" (write to a file with --out FILE)`);
    return exportCommand(transfer);
  }
  if (command === 'import') {
    if (rest.length !== 1) throw new UsageError(rest.length === 0 ? 'import needs the FILE to load (- for stdin)' : `import takes one FILE, but got "${rest.join(' ')}"`);
    return importCommand(rest[0]!, transfer);
  }
  if (command === 'migrate') {
    if (rest.length > 0) throw new UsageError(`migrate takes no arguments, but got "${rest.join(' ')}"`);
    if (!settings.databaseUrl) throw new UsageError('migrate needs --database postgres://... or DATABASE_URL');
    const { migrate } = await import('../stores/postgres/migrations.js');
    const applied = await migrate(settings.databaseUrl);
    console.log(applied.length ? `Applied migrations ${applied.join(', ')}` : 'The schema is up to date');
    return 0;
  }
  throw new UsageError(`unknown command "${command}"; the commands are serve, service, key, integration, user, export, import, migrate`);
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
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
        name: { type: 'string' },
        grace: { type: 'string' },
        label: { type: 'string' },
        operations: { type: 'string' },
        badges: { type: 'string' },
        expires: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        ...Object.fromEntries(Object.values(NUMERIC_SETTINGS).map(({ flag }) => [flag, { type: 'string' as const }])),
      },
    });
  } catch (error) {
    // parseArgs explains how to pass a positional that starts with "-": not what a user of a CLI needs.
    const { code, message } = error as { code?: string; message: string };
    const option = /'(-[^' ]+)/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${option}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`${option} needs a value`);
    throw new UsageError(message);
  }
}

/** The version in package.json, which npm installed with the code. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
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
      requestLog: settings.requestLog ? (entry) => accessLine(requestLine(entry)) : null,
      adminToken: admin?.token,
      bodyTimeoutMs: settings.bodyTimeoutMs,
      bodyBudgetBytes: settings.bodyBudgetBytes,
      access: accessFromEnv(env),
      live: liveFromEnv(env),
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
  const seeded = seed ? await seedIfEmpty(store, { learning: true }).catch((error) => void log('seeding the demo service failed', error)) : undefined;
  if (seeded) console.log(`Seeded service "${seeded.service}" with key ${seeded.key} (user-badges service show-key ${seeded.service} shows it again)`);
  if (settings.openTestService) console.log('The "test" service takes writes without a key (TEST_SERVICE=off to refuse).');
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
