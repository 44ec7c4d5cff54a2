import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from './app.js';
import { settingsFromEnv } from './config.js';
import { newKey } from './keys.js';
import { Domain } from './core/domain.js';
import { openStore } from './stores/index.js';

const USAGE = `Usage: user-badges <command> [options]

Commands:
  serve [--port N] [--host H] [--data FILE] [--no-seed]
                                 Start the display server (default http://localhost:3000).
                                 A new data file is seeded with the "demo" service unless --no-seed.
  service create NAME [--data FILE]      Create a service; prints {"name","key"}
  service list [--data FILE]             List services as JSON lines {"name","createdAt"}
  service rotate-key NAME [--data FILE]  Give a service a new key; prints {"name","key"}

Environment: PORT, HOST, DATA_FILE (default data/db.json), TEST_SERVICE=on|off,
CHECKPOINT_BYTES (journal size that starts a checkpoint, default 8 MiB)
(whether the service named "test" takes writes without a key; turn it off in production).
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
    },
  });
  const settings = settingsFromEnv({
    ...env,
    ...(values.port !== undefined ? { PORT: values.port } : {}),
    ...(values.host !== undefined ? { HOST: values.host } : {}),
    ...(values.data !== undefined ? { DATA_FILE: values.data } : {}),
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
        const domain = new Domain(store);
        const service = sub === 'create' ? await domain.createService(name, key) : await domain.setServiceKey(name, key);
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
    onError: (error, fatal) => {
      if (!fatal) return log('checkpoint failed; it will be retried', error);
      // Memory holds a change that is not on disk: only a restart (replaying what was saved) is safe.
      log('storage failed; exiting so that a restart recovers what was saved', error);
      process.exit(1);
    },
  });
  const app = createApp({ store, config: { openTestService: settings.openTestService, publicRoot: packageRoot(), log } });
  const server = app.listen(settings.port, settings.host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  console.log(`user-badges listening on http://${settings.host}:${port} (data: ${settings.dataFile})`);
  if (store.seeded) console.log(`Seeded service "${store.seeded.service}" with key ${store.seeded.key}`);
  if (settings.openTestService) console.log('The "test" service takes writes without a key (TEST_SERVICE=off to refuse).');

  return new Promise((resolve) => {
    const stop = (signal: string) => {
      console.log(`${signal}: closing`);
      server.close();
      server.closeAllConnections();
      store.close().then(
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

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`user-badges: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
