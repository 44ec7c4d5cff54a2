import { callServer } from './admin-access.js';
import { composeDomain } from '../app/domain.js';
import { createIntegration } from '../core/events/integrations.js';
import type { Store } from '../core/ports.js';
import { serverOption, STORE_FLAGS, type Command } from './command.js';
import { withTarget } from './target.js';

type Made = { id: string; name: string; token: string };

/** `integration create SERVICE [--name NAME]`: a token for GetBadges' URL (`/v0/event/log/<token>`). */
export const integrationCommands: Command[] = [
  {
    name: 'integration create',
    args: [{ name: 'SERVICE', what: 'the name of a service' }],
    summary: "A token for GetBadges' URL POST /v0/event/log/TOKEN; prints {\"id\",\"name\",\"token\",\"url\"}",
    details: ['While serve runs on the embedded store, this goes through its API; on PostgreSQL it works on the database directly.'],
    options: { name: { type: 'string', placeholder: 'NAME', help: 'What the integration is called (default getbadges)' }, ...serverOption() },
    flags: STORE_FLAGS,
    run: (call) =>
      withTarget(call, local, remote, async (admin) => {
        const made = await admin.create(call.args[0]!, (call.options.name as string | undefined) ?? 'getbadges');
        console.log(JSON.stringify({ id: made.id, name: made.name, token: made.token, url: `/v0/event/log/${made.token}` }));
      }),
  },
];

function local(store: Store) {
  const domain = composeDomain(store, { actor: { type: 'cli', command: 'integration create' } });
  return {
    create: (service: string, name: string): Promise<Made> => domain.run(service, (tx) => createIntegration(tx, service, name)),
    close: () => store.close(),
  };
}

/** Through a running server: the admin API gives the service key, with which the v1 API makes the token. */
function remote(server: string, token: string) {
  return {
    create: async (service: string, name: string): Promise<Made> => {
      const { key } = await callServer<{ key: string }>(server, 'GET', `/admin/services/${encodeURIComponent(service)}/key`, `Bearer ${token}`);
      return callServer<Made>(server, 'POST', `/v1/${encodeURIComponent(service)}/integrations.json`, key, { name });
    },
    close: async () => {},
  };
}
