import { callServer, cliAdminToken, runningServer } from './admin-access.js';
import { newKey } from '../core/service-key.js';
import { parseDuration } from '../config/duration.js';
import { rotateServiceKey } from '../core/access/keys.js';
import { composeDomain } from '../app/domain.js';
import type { ServiceSettings } from '../core/model.js';
import type { Store } from '../core/ports.js';
import { adminView as view, type AdminService } from '../http/routes/admin.js';
import { openStore } from '../stores/index.js';

/** What `user-badges service ...` does, whether on the data itself or through a running server. */
interface ServiceAdmin {
  list(): Promise<AdminService[]>;
  create(name: string, settings: ServiceSettings): Promise<AdminService & { key: string }>;
  rotateKey(name: string, graceMs: number): Promise<AdminService & { key: string }>;
  showKey(name: string): Promise<AdminService & { key: string }>;
  configure(name: string, settings: ServiceSettings): Promise<AdminService>;
  delete(name: string): Promise<void>;
  close(): Promise<void>;
}

export interface ServiceCommandOptions {
  dataFile: string;
  /** PostgreSQL: shared by every server, so commands work on it directly while servers run. */
  database?: string;
  /** `--server URL`: use that server's admin API. */
  server?: string;
  /** `--legacy-signatures on|off`. */
  legacySignatures?: string;
  /** `rotate-key --grace 24h`: the old key works beside the new one until then. */
  grace?: string;
}

/** A command line that asks for nothing the CLI can do: the CLI says what is wrong and exits 2. */
export class UsageError extends Error {}

const WITH_NAME = ['create', 'rotate-key', 'show-key', 'set', 'delete'];

/**
 * `service list|create|rotate-key|show-key|set|delete`. While a server owns the data (it left a note
 * beside it) or with `--server`, through the server's admin API; otherwise on the data file directly.
 * Returns the exit code; throws a UsageError for arguments that name no command.
 */
export async function serviceCommand(args: (string | undefined)[], options: ServiceCommandOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const [sub, name, extra] = args;
  const commands = ['list', ...WITH_NAME].join(', ');
  if (sub === undefined) throw new UsageError(`service needs a command: ${commands}`);
  if (sub !== 'list' && !WITH_NAME.includes(sub)) throw new UsageError(`unknown service command "${sub}"; the commands are ${commands}`);
  if (sub === 'list' && name !== undefined) throw new UsageError(`service list takes no name, but got "${name}"`);
  if (sub !== 'list' && name === undefined) throw new UsageError(`service ${sub} needs the name of a service: user-badges service ${sub} NAME`);
  if (extra !== undefined) throw new UsageError(`service ${sub} takes one name, but got "${name}" and "${extra}"`);
  const print = (value: object) => console.log(JSON.stringify(value));
  let admin: ServiceAdmin | undefined;
  try {
    const settings = legacySetting(options.legacySignatures);
    if (sub === 'set' && settings.legacySignatures === undefined) throw new Error('service set needs a setting: --legacy-signatures on|off');
    admin = await connect(options, env);
    if (sub === 'list') for (const s of await admin.list()) print(s);
    else if (sub === 'create') print(withKey(await admin.create(name!, settings)));
    else if (sub === 'rotate-key') print(withKey(await admin.rotateKey(name!, graceOf(options.grace))));
    else if (sub === 'show-key') print(withKey(await admin.showKey(name!)));
    else if (sub === 'set') print(await admin.configure(name!, settings));
    else {
      await admin.delete(name!);
      print({ name: name!, deleted: true });
    }
    return 0;
  } catch (error) {
    console.error(`user-badges: ${(error as Error).message}`);
    return 1;
  } finally {
    await admin?.close();
  }
}

const withKey = ({ name, key }: { name: string; key: string }) => ({ name, key });

function graceOf(value: string | undefined): number {
  if (value === undefined) return 0;
  const ms = parseDuration(value);
  if (ms === undefined) throw new Error(`--grace must be a whole number and s, m, h or d (e.g. 24h), not "${value}"`);
  return ms;
}

function legacySetting(value: string | undefined): ServiceSettings {
  if (value === undefined) return {};
  if (value !== 'on' && value !== 'off') throw new Error(`--legacy-signatures must be on or off, not "${value}"`);
  return { legacySignatures: value === 'on' };
}

async function connect(options: ServiceCommandOptions, env: NodeJS.ProcessEnv): Promise<ServiceAdmin> {
  if (options.database && !options.server) return local(await openStore({ database: options.database }));
  const server = options.server ?? (await runningServer(options.dataFile));
  if (server === undefined) return local(await openStore({ file: options.dataFile }));
  const token = await cliAdminToken(options.dataFile, env);
  if (token === undefined) {
    throw new Error(`The server at ${server} needs its admin token: set ADMIN_TOKEN (serve printed it when it made it, and keeps it in the data folder)`);
  }
  return remote(server, token);
}

function local(store: Store): ServiceAdmin {
  const domain = composeDomain(store, { actor: { type: 'cli', command: 'service' } });
  return {
    list: async () => (await store.listServices()).map(view),
    create: async (name, settings) => {
      const s = await domain.createService(name, newKey(), settings);
      return { ...view(s), key: s.key };
    },
    rotateKey: async (name, graceMs) => {
      const s = await domain.run(name, (tx) => rotateServiceKey(tx, name, newKey(), graceMs));
      return { ...view(s), key: s.key };
    },
    showKey: async (name) => {
      const s = await store.getService(name);
      if (!s) throw new Error(`Service "${name}" does not exist`);
      return { ...view(s), key: s.key };
    },
    configure: async (name, settings) => view(await domain.updateServiceSettings(name, settings)),
    delete: async (name) => void (await domain.deleteService(name)),
    close: () => store.close(),
  };
}

function remote(server: string, token: string): ServiceAdmin {
  const call = <T>(method: string, path: string, body?: object) => callServer<T>(server, method, path, `Bearer ${token}`, body);
  const service = (name: string) => `/admin/services/${encodeURIComponent(name)}`;
  return {
    list: async () => (await call<{ services: AdminService[] }>('GET', '/admin/services')).services,
    create: (name, settings) => call('POST', '/admin/services', { name, ...settings }),
    rotateKey: (name, graceMs) => call('POST', `${service(name)}/key${graceMs > 0 ? `?grace=${Math.ceil(graceMs / 1000)}s` : ''}`),
    showKey: (name) => call('GET', `${service(name)}/key`),
    configure: (name, settings) => call('PATCH', service(name), settings),
    delete: async (name) => void (await call('DELETE', service(name))),
    close: async () => {},
  };
}
