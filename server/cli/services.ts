import { callServer } from './admin-access.js';
import { newKey } from '../core/service-key.js';
import { parseDuration } from '../config/duration.js';
import { rotateServiceKey } from '../core/access/keys.js';
import { composeDomain } from '../app/domain.js';
import type { ServiceSettings } from '../core/model.js';
import type { Store } from '../core/ports.js';
import { adminView as view, withDefaults, type AdminService } from '../http/routes/admin.js';
import { serverOption, STORE_FLAGS, UsageError, type Call, type Command } from './command.js';
import { withTarget } from './target.js';

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

const THROUGH_SERVER =
  'While serve runs on the embedded store, this goes through its admin API (serve leaves a note in the data folder saying where it listens, and keeps its token there); on PostgreSQL it works on the database directly.';
const NAME = [{ name: 'NAME', what: 'the name of a service' }];
const print = (value: object) => console.log(JSON.stringify(value));
const withKey = ({ name, key }: { name: string; key: string }) => ({ name, key });
const legacyOption = (help: string, required = false) => ({ 'legacy-signatures': { type: 'string' as const, placeholder: 'on|off', help, required } });

/** `service list|create|show-key|rotate-key|set|delete`. */
export const serviceCommands: Command[] = [
  {
    name: 'service list',
    summary: 'List services as JSON lines {"name","createdAt","legacySignatures"}; never keys',
    details: [THROUGH_SERVER],
    options: serverOption(),
    flags: STORE_FLAGS,
    run: (call) => withAdmin(call, async (admin) => (await admin.list()).forEach(print)),
  },
  {
    name: 'service create',
    args: NAME,
    summary: 'Create a service; prints {"name","key"}',
    details: ['New services accept the legacy SHA1 signature form of the original API, except in production (--production or NODE_ENV=production), where they refuse it unless told otherwise.', THROUGH_SERVER],
    options: { ...legacyOption('Accept the legacy SHA1 signature form or not'), ...serverOption() },
    flags: [...STORE_FLAGS, 'production'],
    examples: ['user-badges service create topchefs        # {"name":"topchefs","key":"9f2c..."}'],
    run: (call) => {
      const asked = legacySetting(call.options['legacy-signatures']);
      return withAdmin(call, async (admin) => print(withKey(await admin.create(call.args[0]!, withDefaults(asked, !call.settings.production)))));
    },
  },
  {
    name: 'service show-key',
    args: NAME,
    summary: 'Print a service\'s key again; prints {"name","key"}',
    options: serverOption(),
    flags: STORE_FLAGS,
    run: (call) => withAdmin(call, async (admin) => print(withKey(await admin.showKey(call.args[0]!)))),
  },
  {
    name: 'service rotate-key',
    args: NAME,
    summary: 'Give a service a new key; prints {"name","key"}',
    details: ['The old key stops working at once, or with --grace when the grace ends.'],
    options: { grace: { type: 'string', placeholder: 'TIME', help: 'The old key keeps working this long beside the new one (s, m, h or d: 24h)' }, ...serverOption() },
    flags: STORE_FLAGS,
    run: (call) => {
      const grace = graceOf(call.options.grace as string | undefined);
      return withAdmin(call, async (admin) => print(withKey(await admin.rotateKey(call.args[0]!, grace))));
    },
  },
  {
    name: 'service set',
    args: NAME,
    summary: 'Change a service\'s settings: accept or refuse the legacy SHA1 signature form',
    options: { ...legacyOption('Accept the legacy SHA1 signature form or not', true), ...serverOption() },
    flags: STORE_FLAGS,
    run: (call) => {
      const settings = legacySetting(call.options['legacy-signatures']);
      return withAdmin(call, async (admin) => print(await admin.configure(call.args[0]!, settings)));
    },
  },
  {
    name: 'service delete',
    args: NAME,
    summary: 'Delete a service with all its badges and users',
    options: serverOption(),
    flags: STORE_FLAGS,
    run: (call) =>
      withAdmin(call, async (admin) => {
        await admin.delete(call.args[0]!);
        print({ name: call.args[0]!, deleted: true });
      }),
  },
];

const withAdmin = (call: Call, work: (admin: ServiceAdmin) => Promise<void>) => withTarget(call, local, remote, work);

function graceOf(value: string | undefined): number {
  if (value === undefined) return 0;
  const ms = parseDuration(value);
  if (ms === undefined) throw new UsageError(`--grace must be a whole number and s, m, h or d (e.g. 24h), not "${value}"`);
  return ms;
}

function legacySetting(value: string | boolean | undefined): ServiceSettings {
  if (value === undefined) return {};
  if (value !== 'on' && value !== 'off') throw new UsageError(`--legacy-signatures must be on or off, not "${value}"`);
  return { legacySignatures: value === 'on' };
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
