import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from './app.js';
import { settingsFromEnv } from './config.js';
import { announceServer, localUrl, serverAdminToken, type AdminToken } from './admin-access.js';
import { serviceCommand } from './service-commands.js';
import { exportCommand, importCommand } from './transfer-commands.js';
import { openStore } from './stores/index.js';

const USAGE = `Usage: user-badges <command> [options]

Commands:
  serve [--port N] [--host H] [--data FILE] [--no-seed]
                                 Start the display server (default http://localhost:3000).
                                 A new data file is seeded with the "demo" service unless --no-seed.
  service create NAME [--legacy-signatures on|off]
                                 Create a service; prints {"name","key"}
  service list                   List services as JSON lines {"name","createdAt","legacySignatures"}
  service rotate-key NAME        Give a service a new key; prints {"name","key"}
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
CHECKPOINT_BYTES (journal size that starts a checkpoint, default 8 MiB)
(whether the service named "test" takes writes without a key; turn it off in production),
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
    },
  });
  const settings = settingsFromEnv({
    ...env,
    ...(values.port !== undefined ? { PORT: values.port } : {}),
    ...(values.host !== undefined ? { HOST: values.host } : {}),
    ...(values.data !== undefined ? { DATA_FILE: values.data } : {}),
    ...(values.database !== undefined ? { DATABASE_URL: values.database } : {}),
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
    seed,
    checkpointBytes: settings.checkpointBytes,
    onError: (error, fatal) => {
      if (!fatal) return log('checkpoint failed; it will be retried', error);
      // Memory holds a change that is not on disk: only a restart (replaying what was saved) is safe.
      log('storage failed; exiting so that a restart recovers what was saved', error);
      process.exit(1);
    },
  });
  // On PostgreSQL there is no data folder to keep a token in, and every instance must accept the
  // same one: the admin API is there when ADMIN_TOKEN is set.
  const admin: AdminToken | null = settings.databaseUrl
    ? env.ADMIN_TOKEN
      ? { source: 'env', token: env.ADMIN_TOKEN, file: '' }
      : null
    : await serverAdminToken(settings.dataFile, env);
  const app = createApp({ store, config: { openTestService: settings.openTestService, publicRoot: packageRoot(), log, adminToken: admin?.token } });
  const server = app.listen(settings.port, settings.host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  console.log(`user-badges listening on http://${settings.host}:${port} (${settings.databaseUrl ? `database: ${redact(settings.databaseUrl)}` : `data: ${settings.dataFile}`})`);
  if (store.seeded) console.log(`Seeded service "${store.seeded.service}" with key ${store.seeded.key}`);
  if (settings.openTestService) console.log('The "test" service takes writes without a key (TEST_SERVICE=off to refuse).');
  console.log(admin ? adminNotice(admin) : 'No admin API: set ADMIN_TOKEN to have one (service commands work on the database directly).');
  // Service commands find a server that owns the data file through this note; a database has no owner.
  const withdraw = settings.databaseUrl ? async () => {} : await announceServer(settings.dataFile, localUrl(settings.host, port));

  return new Promise((resolve) => {
    const stop = (signal: string) => {
      console.log(`${signal}: closing`);
      server.close();
      server.closeAllConnections();
      withdraw().then(() => store.close()).then(
        () => resolve(0),
        (error) => {
          log('closing the store failed', error);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', stop).once('SIGTERM', stop);
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
