import type { Settings } from '../config/settings.js';
import type { Store } from '../core/ports.js';
import type { Call } from './command.js';
import { openStore, type OpenedStore } from '../stores/index.js';
import { cliAdminToken, runningServer } from './admin-access.js';
import { explainDatabaseError } from './database-errors.js';
import { refuseIfMoved } from './moved.js';

/**
 * Where a command finds the data: a store it opens itself, or the server that owns it. A database is
 * shared, so commands work on it directly while servers run; the embedded store is owned by one
 * process, so while `serve` runs on it (it leaves a note saying where it listens) commands go
 * through that server's admin API.
 */
export type Target = { kind: 'store'; store: OpenedStore } | { kind: 'server'; url: string; token: string };

export async function findTarget(settings: Settings, server?: string): Promise<Target> {
  if (settings.databaseUrl && !server) return { kind: 'store', store: await openDatabase(settings.databaseUrl) };
  if (!server) await refuseIfMoved(settings.dataFile);
  const url = server ?? (await runningServer(settings.dataFile));
  if (url === undefined) return { kind: 'store', store: await openStore({ file: settings.dataFile }) };
  const token = settings.adminToken ?? (await cliAdminToken(settings.dataFile));
  if (token === undefined) {
    throw new Error(`The server at ${url} needs its admin token: set ADMIN_TOKEN (serve printed it when it made it, and keeps it in the data folder)`);
  }
  return { kind: 'server', url, token };
}

/** The store a command opens itself (export, import): the database, or the embedded store unless it moved. */
export async function openOwnStore(settings: Settings): Promise<OpenedStore> {
  if (settings.databaseUrl) return openDatabase(settings.databaseUrl);
  await refuseIfMoved(settings.dataFile);
  return openStore({ file: settings.dataFile });
}

export async function openDatabase(url: string): Promise<OpenedStore> {
  try {
    return await openStore({ database: url });
  } catch (error) {
    throw explainDatabaseError(error, url);
  }
}

/**
 * Runs a command's work on what `findTarget` found: `local` makes its admin over a store, `remote`
 * over a server's API. The store is closed after, whatever happens.
 */
export async function withTarget<A extends { close(): Promise<void> }>(
  call: Pick<Call, 'settings' | 'options'>,
  local: (store: Store) => A,
  remote: (url: string, token: string) => A,
  work: (admin: A) => Promise<void>,
): Promise<number> {
  const target = await findTarget(call.settings, call.options.server as string | undefined);
  const admin = target.kind === 'store' ? local(target.store) : remote(target.url, target.token);
  try {
    await work(admin);
    return 0;
  } finally {
    await admin.close();
  }
}
