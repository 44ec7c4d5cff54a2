import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import pg from 'pg';
import { createDatabase, startEmbeddedOnAnyPort, type EmbeddedServer } from '../../server/stores/postgres/embedded.js';
import { within } from './deadline.js';

/**
 * A PostgreSQL for tests: `DATABASE_URL` when given, else one throwaway server per test process,
 * started on first use (fsync off: durability is not under test here). Every call gets a database
 * of its own, so tests never see each other's data. Every wait (the start, CREATE and DROP DATABASE,
 * the stop) has a deadline that names what it waited for (server/stores/postgres/embedded.ts).
 */
export async function withPostgres(): Promise<string> {
  const server = process.env.DATABASE_URL ?? (await (embedded ??= startThrowaway()));
  return createDatabase(server, `t_${Math.random().toString(36).slice(2, 12)}`);
}

let embedded: Promise<string> | undefined;
let running: EmbeddedServer | undefined;

// Registered while the test file loads, so it runs after the file's last test whatever suite
// first asked for a server; the exit handler covers a run cut short.
after(async () => {
  if (!running) return;
  const server = running;
  running = undefined;
  await server.stop('immediate');
  await rm(server.dir, { recursive: true, force: true });
});
process.once('exit', () => {
  if (!running) return;
  running.stopNow();
  rmSync(running.dir, { recursive: true, force: true });
});

async function startThrowaway(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'user-badges-pg-'));
  try {
    running = await startEmbeddedOnAnyPort({ dir, password: 'pw', fast: true });
    return running.url;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`Could not start an embedded PostgreSQL: ${(error as Error).message}`);
  }
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
