import { callServer, cliAdminToken, runningServer } from './admin-access.js';
import { newScopedKey, tokenOf } from '../http/auth/credentials.js';
import { parseDuration } from '../config/duration.js';
import { createKey, deleteKey, KEY_KIND, OPERATIONS, type Operation, type ScopedKey } from '../core/access/keys.js';
import { composeDomain } from '../app/domain.js';
import { keyView } from '../http/routes/keys.js';
import { UsageError } from './services.js';
import { openStore } from '../stores/index.js';

export interface KeyCommandOptions {
  dataFile: string;
  database?: string;
  server?: string;
  label?: string;
  operations?: string;
  badges?: string;
  expires?: string;
}

interface NewKey {
  label: string;
  operations: Operation[];
  badges: string[] | null;
  expiresAt: string | null;
}

/** What `user-badges key ...` does, on the data itself or through a running server. */
interface KeyAdmin {
  list(service: string): Promise<object[]>;
  create(service: string, key: NewKey): Promise<object>;
  revoke(service: string, id: string): Promise<void>;
  close(): Promise<void>;
}

/** `key list|create|revoke SERVICE [ID]`; returns the exit code. */
export async function keyCommand(args: (string | undefined)[], options: KeyCommandOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const [sub, service, id, extra] = args;
  if (sub === undefined || !['list', 'create', 'revoke'].includes(sub)) throw new UsageError(`key needs a command: list, create, revoke${sub ? ` (not "${sub}")` : ''}`);
  if (service === undefined) throw new UsageError(`key ${sub} needs the name of a service: user-badges key ${sub} SERVICE`);
  if (sub === 'revoke' ? id === undefined || extra !== undefined : id !== undefined) throw new UsageError(sub === 'revoke' ? 'key revoke takes SERVICE and the key ID' : `key ${sub} takes one SERVICE`);
  let admin: KeyAdmin | undefined;
  try {
    const key = sub === 'create' ? newKeyOf(options) : undefined;
    admin = await connect(options, env);
    if (sub === 'list') for (const k of await admin.list(service)) console.log(JSON.stringify(k));
    else if (sub === 'create') console.log(JSON.stringify(await admin.create(service, key!)));
    else {
      await admin.revoke(service, id!);
      console.log(JSON.stringify({ id, deleted: true }));
    }
    return 0;
  } catch (error) {
    console.error(`user-badges: ${(error as Error).message}`);
    return 1;
  } finally {
    await admin?.close();
  }
}

function newKeyOf({ label, operations, badges, expires }: KeyCommandOptions): NewKey {
  if (!label) throw new Error('key create needs --label TEXT (what the key is for)');
  const ops = (operations ?? '').split(',').filter(Boolean);
  const wrong = ops.filter((op) => !(OPERATIONS as readonly string[]).includes(op));
  if (ops.length === 0 || wrong.length > 0) throw new Error(`--operations must list some of ${OPERATIONS.join(', ')}${wrong.length ? `, not ${wrong.join(', ')}` : ''}`);
  const ms = expires === undefined ? undefined : parseDuration(expires);
  if (expires !== undefined && ms === undefined) throw new Error(`--expires must be a whole number and s, m, h or d (e.g. 30d), not "${expires}"`);
  return {
    label,
    operations: [...new Set(ops)] as Operation[],
    badges: badges === undefined ? null : badges.split(',').filter(Boolean),
    expiresAt: ms === undefined ? null : new Date(Date.now() + ms).toISOString(),
  };
}

async function connect(options: KeyCommandOptions, env: NodeJS.ProcessEnv): Promise<KeyAdmin> {
  if (options.database && !options.server) return local(await openStore({ database: options.database }));
  const server = options.server ?? (await runningServer(options.dataFile));
  if (server === undefined) return local(await openStore({ file: options.dataFile }));
  const token = await cliAdminToken(options.dataFile, env);
  if (token === undefined) throw new Error(`The server at ${server} needs its admin token: set ADMIN_TOKEN`);
  return remote(server, token);
}

function local(store: Awaited<ReturnType<typeof openStore>>): KeyAdmin {
  const domain = composeDomain(store, { actor: { type: 'cli', command: 'key' } });
  const exists = async (service: string) => {
    if (!(await store.getService(service))) throw new Error(`Service "${service}" does not exist`);
  };
  return {
    list: async (service) => {
      await exists(service);
      return (await store.listItems(service, KEY_KIND, {})).map((item) => keyView(item.v as ScopedKey));
    },
    create: async (service, key) => {
      await exists(service);
      const { id, secret } = newScopedKey();
      const made = await domain.run(service, (tx) => createKey(tx, service, { id, secret, ...key }));
      return { ...keyView(made), secret, token: tokenOf(made) };
    },
    revoke: async (service, id) => void (await domain.run(service, (tx) => deleteKey(tx, service, id))),
    close: () => store.close(),
  };
}

/** Through a running server: the admin API gives the service's key, with which the v1 key routes are called. */
function remote(server: string, token: string): KeyAdmin {
  const call = <T>(method: string, path: string, authorization: string, body?: object) => callServer<T>(server, method, path, authorization, body);
  const keyOf = async (service: string) => (await call<{ key: string }>('GET', `/admin/services/${encodeURIComponent(service)}/key`, `Bearer ${token}`)).key;
  const base = (service: string) => `/v1/${encodeURIComponent(service)}/keys`;
  return {
    list: async (service) => (await call<{ keys: object[] }>('GET', `${base(service)}.json`, await keyOf(service))).keys,
    create: async (service, key) => call('POST', `${base(service)}.json`, await keyOf(service), key),
    revoke: async (service, id) => void (await call('DELETE', `${base(service)}/${encodeURIComponent(id)}.json`, await keyOf(service))),
    close: async () => {},
  };
}
