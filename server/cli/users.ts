import { callServer, cliAdminToken, runningServer } from './admin-access.js';
import { composeDomain } from '../app/domain.js';
import { erasePerson } from '../http/routes/people.js';
import { UsageError } from './services.js';
import { openStore } from '../stores/index.js';

/** The lines `user-badges --help` shows for this group. */
export const USER_USAGE = `  user export SERVICE NAME        Everything the service holds of a user, as one JSON document
  user erase SERVICE NAME         Erase a user: every record of them, in one write; prints what went
  user rename SERVICE NAME NEW    Rename a user with everything the service holds of them`;

export interface UserCommandOptions {
  dataFile: string;
  database?: string;
  server?: string;
}

const ARGS = { export: 'SERVICE NAME', erase: 'SERVICE NAME', rename: 'SERVICE NAME NEW' } as const;
type Sub = keyof typeof ARGS;

/**
 * `user export|erase|rename SERVICE NAME [NEW]`: a person's data on request, as the v1 routes
 * (`users/:name/export.json`, `erase.json`, `rename.json`) do it. Through a server that owns the
 * data (its admin API gives the service key), else on the data directly. Prints JSON.
 */
export async function userCommand(args: (string | undefined)[], options: UserCommandOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const [sub, service, name, to, extra] = args;
  if (sub === undefined || !Object.hasOwn(ARGS, sub)) throw new UsageError(`user needs a command: export, erase, rename${sub ? ` (not "${sub}")` : ''}`);
  const wanted = ARGS[sub as Sub];
  const given = [service, name, ...(sub === 'rename' ? [to] : [])];
  if (given.includes(undefined) || (sub === 'rename' ? extra : to) !== undefined) throw new UsageError(`user ${sub} takes ${wanted}: user-badges user ${sub} ${wanted}`);
  try {
    const answer = await (options.database && !options.server ? local(options, sub as Sub, service!, name!, to) : remoteOrLocal(options, sub as Sub, service!, name!, to, env));
    console.log(JSON.stringify(answer));
    return 0;
  } catch (error) {
    console.error(`user-badges: ${(error as Error).message}`);
    return 1;
  }
}

async function local(options: UserCommandOptions, sub: Sub, service: string, name: string, to: string | undefined): Promise<object> {
  const store = await openStore(options.database ? { database: options.database } : { file: options.dataFile });
  try {
    const domain = composeDomain(store, { actor: { type: 'cli', command: `user ${sub}` } });
    if (!(await store.getService(service))) throw new Error(`Service "${service}" does not exist`);
    if (sub === 'export') return await domain.exportUser(service, name);
    if (sub === 'rename') return await domain.renameUser(service, name, to!);
    return await erasePerson({ domain, store, replay: store.replays }, service, name);
  } finally {
    await store.close();
  }
}

async function remoteOrLocal(options: UserCommandOptions, sub: Sub, service: string, name: string, to: string | undefined, env: NodeJS.ProcessEnv): Promise<object> {
  const server = options.server ?? (await runningServer(options.dataFile));
  if (server === undefined) return local(options, sub, service, name, to);
  const token = await cliAdminToken(options.dataFile, env);
  if (token === undefined) throw new Error(`The server at ${server} needs its admin token: set ADMIN_TOKEN`);
  const { key } = await callServer<{ key: string }>(server, 'GET', `/admin/services/${encodeURIComponent(service)}/key`, `Bearer ${token}`);
  const path = `/v1/${encodeURIComponent(service)}/users/${encodeURIComponent(name)}/${sub}.json`;
  return callServer<object>(server, sub === 'export' ? 'GET' : 'POST', path, key, sub === 'rename' ? { to } : sub === 'erase' ? {} : undefined);
}
