import { callServer } from './admin-access.js';
import { newScopedKey, tokenOf } from '../http/auth/credentials.js';
import { parseDuration } from '../config/duration.js';
import { createKey, deleteKey, KEY_KIND, OPERATIONS, type Operation, type ScopedKey } from '../core/access/keys.js';
import { composeDomain } from '../app/domain.js';
import { keyView } from '../http/routes/keys.js';
import type { Store } from '../core/ports.js';
import { serverOption, STORE_FLAGS, UsageError, type Call, type Command } from './command.js';
import { withTarget } from './target.js';

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

const SERVICE = { name: 'SERVICE', what: 'the name of a service' };
const THROUGH_SERVER = 'While serve runs on the embedded store, this goes through its API; on PostgreSQL it works on the database directly.';

/** `key list|create|revoke`: the scoped keys ("valet keys") of a service. */
export const keyCommands: Command[] = [
  {
    name: 'key list',
    args: [SERVICE],
    summary: "The service's scoped keys as JSON lines, without secrets",
    details: [THROUGH_SERVER],
    options: serverOption(),
    flags: STORE_FLAGS,
    run: (call) => withKeys(call, async (admin) => (await admin.list(call.args[0]!)).forEach((k) => console.log(JSON.stringify(k)))),
  },
  {
    name: 'key create',
    args: [SERVICE],
    summary: 'Make a key that may do only some operations; prints it with its secret, once',
    details: ['The key signs requests as the service key does, or is sent as "Authorization: Bearer <token>".', THROUGH_SERVER],
    options: {
      label: { type: 'string', placeholder: 'TEXT', help: 'What the key is for', required: true },
      operations: { type: 'string', placeholder: 'LIST', help: `What it may do, some of ${OPERATIONS.join(', ')}`, required: true },
      badges: { type: 'string', placeholder: 'a,b', help: 'Only these badges (default: all)' },
      expires: { type: 'string', placeholder: 'TIME', help: 'It stops working after this (s, m, h or d: 30d)' },
      ...serverOption(),
    },
    flags: STORE_FLAGS,
    examples: ['user-badges key create demo --label "meetup bot" --operations award --badges speaker --expires 30d'],
    run: (call) => {
      const key = newKeyOf(call.options as Record<string, string | undefined>);
      return withKeys(call, async (admin) => console.log(JSON.stringify(await admin.create(call.args[0]!, key))));
    },
  },
  {
    name: 'key revoke',
    args: [SERVICE, { name: 'ID', what: 'the id of the key (key list shows it)' }],
    summary: 'Revoke a scoped key: every server refuses it from then on',
    options: serverOption(),
    flags: STORE_FLAGS,
    run: (call) =>
      withKeys(call, async (admin) => {
        await admin.revoke(call.args[0]!, call.args[1]!);
        console.log(JSON.stringify({ id: call.args[1], deleted: true }));
      }),
  },
];

const withKeys = (call: Call, work: (admin: KeyAdmin) => Promise<void>) => withTarget(call, local, remote, work);

function newKeyOf({ label, operations, badges, expires }: Record<string, string | undefined>): NewKey {
  const ops = (operations ?? '').split(',').filter(Boolean);
  const wrong = ops.filter((op) => !(OPERATIONS as readonly string[]).includes(op));
  if (ops.length === 0 || wrong.length > 0) throw new UsageError(`--operations must list some of ${OPERATIONS.join(', ')}${wrong.length ? `, not ${wrong.join(', ')}` : ''}`);
  const ms = expires === undefined ? undefined : parseDuration(expires);
  if (expires !== undefined && ms === undefined) throw new UsageError(`--expires must be a whole number and s, m, h or d (e.g. 30d), not "${expires}"`);
  return {
    label: label!,
    operations: [...new Set(ops)] as Operation[],
    badges: badges === undefined ? null : badges.split(',').filter(Boolean),
    expiresAt: ms === undefined ? null : new Date(Date.now() + ms).toISOString(),
  };
}

function local(store: Store): KeyAdmin {
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
