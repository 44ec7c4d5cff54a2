import { callServer } from './admin-access.js';
import { composeDomain } from '../app/domain.js';
import type { Store } from '../core/ports.js';
import { erasePerson } from '../http/routes/people.js';
import type { OpenedStore } from '../stores/index.js';
import { serverOption, STORE_FLAGS, type Command } from './command.js';
import { withTarget } from './target.js';

type Sub = 'export' | 'erase' | 'rename';

interface People {
  run(sub: Sub, service: string, name: string, to?: string): Promise<object>;
  close(): Promise<void>;
}

const SERVICE = { name: 'SERVICE', what: 'the name of a service' };
const NAME = { name: 'NAME', what: 'the user' };
const WHERE = 'While serve runs on the embedded store, this goes through its API; on PostgreSQL it works on the database directly.';

/**
 * `user export|erase|rename SERVICE NAME [NEW]`: a person's data on request, as the v1 routes
 * (`users/:name/export.json`, `erase.json`, `rename.json`) do it. Prints JSON.
 */
export const userCommands: Command[] = [
  userCommand('export', [SERVICE, NAME], 'Everything the service holds of a user, as one JSON document'),
  userCommand('erase', [SERVICE, NAME], 'Erase a user: every record of them, in one write; prints what went'),
  userCommand('rename', [SERVICE, NAME, { name: 'NEW', what: 'the new name' }], 'Rename a user with everything the service holds of them'),
];

function userCommand(sub: Sub, args: Command['args'], summary: string): Command {
  return {
    name: `user ${sub}`,
    args,
    summary,
    details: [WHERE],
    options: serverOption(),
    flags: STORE_FLAGS,
    run: (call) =>
      withTarget(call, local, remote, async (people) => {
        const [service, name, to] = call.args;
        console.log(JSON.stringify(await people.run(sub, service!, name!, to)));
      }),
  };
}

function local(store: Store): People {
  return {
    async run(sub, service, name, to) {
      const domain = composeDomain(store, { actor: { type: 'cli', command: `user ${sub}` } });
      if (!(await store.getService(service))) throw new Error(`Service "${service}" does not exist`);
      if (sub === 'export') return domain.exportUser(service, name);
      if (sub === 'rename') return domain.renameUser(service, name, to!);
      return erasePerson({ domain, store, replay: (store as OpenedStore).replays }, service, name);
    },
    close: () => store.close(),
  };
}

/** Through a running server: the admin API gives the service key, with which the v1 routes act. */
function remote(server: string, token: string): People {
  return {
    async run(sub, service, name, to) {
      const { key } = await callServer<{ key: string }>(server, 'GET', `/admin/services/${encodeURIComponent(service)}/key`, `Bearer ${token}`);
      const path = `/v1/${encodeURIComponent(service)}/users/${encodeURIComponent(name)}/${sub}.json`;
      return callServer<object>(server, sub === 'export' ? 'GET' : 'POST', path, key, sub === 'rename' ? { to } : sub === 'erase' ? {} : undefined);
    },
    close: async () => {},
  };
}
