import { callServer, cliAdminToken, runningServer } from './admin-access.js';
import { composeDomain } from '../app/domain.js';
import { createIntegration } from '../core/events/integrations.js';
import { UsageError } from './services.js';
import { openStore } from '../stores/index.js';

export interface IntegrationCommandOptions {
  dataFile: string;
  database?: string;
  server?: string;
  name?: string;
}

/**
 * `integration create SERVICE [--name NAME]`: a token for GetBadges' URL (`/v0/event/log/<token>`).
 * Through a server that owns the data (its admin API gives the service key, the v1 API makes the
 * token), else on the data directly. Prints {"id","name","token","url"}.
 */
export async function integrationCommand(args: (string | undefined)[], options: IntegrationCommandOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const [sub, service, extra] = args;
  if (sub !== 'create') throw new UsageError(sub === undefined ? 'integration needs a command: create' : `unknown integration command "${sub}"; the command is create`);
  if (service === undefined) throw new UsageError('integration create needs the name of a service: user-badges integration create SERVICE [--name NAME]');
  if (extra !== undefined) throw new UsageError(`integration create takes one service, but got "${service}" and "${extra}"`);
  const name = options.name ?? 'getbadges';
  try {
    const made = await (options.database && !options.server ? local(options, service, name) : remoteOrLocal(options, service, name, env));
    console.log(JSON.stringify({ id: made.id, name: made.name, token: made.token, url: `/v0/event/log/${made.token}` }));
    return 0;
  } catch (error) {
    console.error(`user-badges: ${(error as Error).message}`);
    return 1;
  }
}

async function local(options: IntegrationCommandOptions, service: string, name: string) {
  const store = await openStore(options.database ? { database: options.database } : { file: options.dataFile });
  try {
    return await composeDomain(store, { actor: { type: 'cli', command: 'integration create' } }).run(service, (tx) => createIntegration(tx, service, name));
  } finally {
    await store.close();
  }
}

async function remoteOrLocal(options: IntegrationCommandOptions, service: string, name: string, env: NodeJS.ProcessEnv) {
  const server = options.server ?? (await runningServer(options.dataFile));
  if (server === undefined) return local(options, service, name);
  const token = await cliAdminToken(options.dataFile, env);
  if (token === undefined) throw new Error(`The server at ${server} needs its admin token: set ADMIN_TOKEN`);
  const { key } = await callServer<{ key: string }>(server, 'GET', `/admin/services/${encodeURIComponent(service)}/key`, `Bearer ${token}`);
  return callServer<{ id: string; name: string; token: string }>(server, 'POST', `/v1/${encodeURIComponent(service)}/integrations.json`, key, { name });
}
