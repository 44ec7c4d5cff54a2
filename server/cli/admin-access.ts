import { chmod, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newKey } from '../core/service-key.js';

/**
 * How the operator reaches the admin API of the server that owns a data file: the token, and where
 * that server listens. Both live in the store's folder beside the data file (`db.json` -> `db.d/`),
 * readable by the owner only.
 */
export const adminFiles = (dataFile: string) => {
  const folder = dataFile.replace(/\.json$/, '') + '.d';
  return { folder, token: join(folder, 'admin-token'), server: join(folder, 'admin-server.json') };
};

export interface AdminToken {
  token: string;
  /** Where it came from: the environment, a file kept from an earlier start, or made just now. */
  source: 'env' | 'file' | 'created';
  file?: string;
}

/**
 * The operator token for `serve`: ADMIN_TOKEN if set (then nothing is written), else the one kept
 * in the token file, else a new one written there with mode 0600, so it survives restarts.
 */
export async function serverAdminToken(dataFile: string, fromSettings: string | undefined): Promise<AdminToken> {
  if (fromSettings) return { token: fromSettings, source: 'env' };
  const { folder, token: file } = adminFiles(dataFile);
  const kept = await readToken(file);
  if (kept !== undefined) return { token: kept, source: 'file', file };
  await mkdir(folder, { recursive: true });
  const token = newKey();
  // 'wx': never replace a token that appeared meanwhile; its holders would be locked out.
  await writeFile(file, token + '\n', { mode: 0o600, flag: 'wx' });
  return { token, source: 'created', file };
}

/** The token a server on this data file kept in its folder, if readable (ADMIN_TOKEN comes first: see target.ts). */
export async function cliAdminToken(dataFile: string): Promise<string | undefined> {
  return readToken(adminFiles(dataFile).token);
}

async function readToken(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // Someone loosened it (a copy, a restore): a token others can read is no secret.
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  return checked(text.trim(), file);
}

function checked(token: string, from: string): string {
  if (!/^[\x21-\x7e]{16,200}$/.test(token)) throw new Error(`The admin token in ${from} must be 16-200 visible ASCII characters`);
  return token;
}

/**
 * Tells CLIs on this machine that a server owns the data and where it listens; the returned function
 * takes that back on shutdown. A note left by a killed server names a dead process and is ignored.
 */
export async function announceServer(dataFile: string, url: string): Promise<() => Promise<void>> {
  const { folder, server } = adminFiles(dataFile);
  await mkdir(folder, { recursive: true });
  await writeFile(server, JSON.stringify({ url, pid: process.pid }) + '\n', { mode: 0o600 });
  return () => unlink(server).catch(() => {});
}

/** The URL of the live server that owns the data file, if there is one. */
export async function runningServer(dataFile: string): Promise<string | undefined> {
  let note: { url?: unknown; pid?: unknown };
  try {
    note = JSON.parse(await readFile(adminFiles(dataFile).server, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof note.url !== 'string' || typeof note.pid !== 'number' || !alive(note.pid)) return undefined;
  return note.url;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A URL a local client can reach for a server listening on `host` (a wildcard address is not one). */
export function localUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/**
 * One request of a command to the server that owns the data: the JSON answer, or an Error with the
 * server's own message (or why it could not be reached).
 */
export async function callServer<T>(server: string, method: string, path: string, authorization: string, body?: object): Promise<T> {
  let response: Response;
  try {
    response = await fetch(new URL(path, server), {
      method,
      headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (error) {
    throw new Error(`Cannot reach the server at ${server}: ${(error as Error).cause ?? (error as Error).message}`);
  }
  const answer = (await response.json().catch(() => null)) as (T & { error?: { message?: string } }) | null;
  if (!response.ok) throw new Error(answer?.error?.message ?? `The server answered ${response.status}`);
  return answer as T;
}
