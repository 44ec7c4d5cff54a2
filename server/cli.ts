import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from './app.js';
import { NUMERIC_SETTINGS, settingsFromEnv } from './config.js';
import { createHttpServer } from './http-server.js';
import { newKey } from './keys.js';
import { gracefulStop } from './shutdown.js';
import { openStore } from './store/index.js';

const USAGE = `Usage: user-badges <command> [options]

Commands:
  serve [--port N] [--host H] [--data FILE] [--no-seed] [--OPTION-NAME N ...]
                                 Start the display server (default http://localhost:3000).
                                 A new data file is seeded with the "demo" service unless --no-seed.
                                 Each numeric setting below has a flag: --body-timeout-ms 5000, ...
  service create NAME [--data FILE]      Create a service; prints {"name","key"}
  service list [--data FILE]             List services as JSON lines {"name","createdAt"}
  service rotate-key NAME [--data FILE]  Give a service a new key; prints {"name","key"}

Environment: PORT, HOST, DATA_FILE (default data/db.json), TEST_SERVICE=on|off
(whether the service named "test" takes writes without a key; turn it off in production),
CHECKPOINT_BYTES (journal size that starts a checkpoint, default 8 MiB),
HEADERS_TIMEOUT_MS, BODY_TIMEOUT_MS (default 10000 each), BODY_BUDGET_BYTES (bytes that bodies
still arriving may hold together, default 16 MiB), MAX_CONNECTIONS (default 4096),
SHUTDOWN_GRACE_MS (default 10000), STORAGE_RETRY_MS (default 1000).
Service commands need the server stopped: one process owns the data at a time.`;

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
    ...flags,
  });
  const [command, sub, name] = positionals;
  if (values.help || command === undefined || command === 'help') {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }

  if (command === 'serve') return serve(settings, !values['no-seed']);

  if (command === 'service') {
    const store = await openStore({ file: settings.dataFile });
    try {
      if (sub === 'list' && name === undefined) {
        for (const s of await store.listServices()) console.log(JSON.stringify({ name: s.name, createdAt: s.createdAt }));
        return 0;
      }
      if ((sub === 'create' || sub === 'rotate-key') && name !== undefined) {
        const key = newKey();
        const service = sub === 'create' ? await store.createService(name, key) : await store.setServiceKey(name, key);
        console.log(JSON.stringify({ name: service.name, key: service.key }));
        return 0;
      }
    } catch (error) {
      console.error(`user-badges: ${(error as Error).message}`);
      return 1;
    } finally {
      await store.close();
    }
  }
  console.error(`user-badges: unknown command "${positionals.join(' ')}"\n\n${USAGE}`);
  return 2;
}

async function serve(settings: ReturnType<typeof settingsFromEnv>, seed: boolean): Promise<number> {
  const log = (message: string, error?: unknown) => console.error(new Date().toISOString(), message, error ?? '');
  const store = await openStore({
    file: settings.dataFile,
    seed,
    checkpointBytes: settings.checkpointBytes,
    retryMs: settings.storageRetryMs,
    onError: (error, writesRefused) => {
      if (!writesRefused) return log('checkpoint failed; it will be retried', error);
      log(`storage failed; refusing writes (507/503) and serving reads, retrying every ${settings.storageRetryMs} ms`, error);
    },
    onRecover: () => log('storage takes writes again'),
    onDropped: (dropped) => {
      for (const d of dropped) log(`journal recovery dropped ${d.bytes} bytes at byte ${d.offset} of ${d.file}: ${d.reason}`);
    },
  });
  const app = createApp({
    store,
    config: {
      openTestService: settings.openTestService,
      publicRoot: packageRoot(),
      log,
      bodyTimeoutMs: settings.bodyTimeoutMs,
      bodyBudgetBytes: settings.bodyBudgetBytes,
    },
  });
  const server = createHttpServer(app.callback(), settings);
  const stop = gracefulStop(server);
  server.listen(settings.port, settings.host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  console.log(`user-badges listening on http://${settings.host}:${port} (data: ${settings.dataFile})`);
  if (store.seeded) console.log(`Seeded service "${store.seeded.service}" with key ${store.seeded.key}`);
  if (settings.openTestService) console.log('The "test" service takes writes without a key (TEST_SERVICE=off to refuse).');

  return new Promise((resolve) => {
    // Requests already begun are answered (their writes included) before the store closes; a second
    // signal during the grace period ends the process at once.
    const shutdown = async (signal: string) => {
      console.log(`${signal}: closing (up to ${settings.shutdownGraceMs} ms for requests in progress)`);
      const cut = await stop(settings.shutdownGraceMs);
      if (cut > 0) log(`${cut} requests were still in progress after the grace period and were cut`);
      try {
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

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`user-badges: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
