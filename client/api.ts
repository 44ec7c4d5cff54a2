import { OPERATIONS, type Operations } from './generated/operations.js';
import { send, type Transport } from './transport.js';

export { OPERATIONS, type Operations, type WithService } from './generated/operations.js';

/** The name of an operation: its `operationId` in `/openapi.json`. */
export type OperationId = keyof Operations;
/** What an operation takes: `params` (the path's), `query`, `body`, each as the server's schema says. */
export type InputOf<K extends OperationId> = Operations[K]['input'];
/** What an operation answers. */
export type ResponseOf<K extends OperationId> = Operations[K]['response'];
/** The input may be left out when nothing in it is required. */
export type ArgsOf<K extends OperationId> = {} extends InputOf<K> ? [input?: InputOf<K>] : [input: InputOf<K>];
/** One method per operation of the API, named by its `operationId`. */
export type Api = { [K in OperationId]: (...args: ArgsOf<K>) => Promise<ResponseOf<K>> };

interface LooseInput {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
}

/** Calls one operation: its path filled in (`service` the client's unless given), credentials as its route needs. */
export async function callOperation(transport: Transport, service: string, id: OperationId, input: LooseInput = {}): Promise<unknown> {
  // Own keys only: `toString` is no operation.
  const operation = Object.hasOwn(OPERATIONS, id) ? OPERATIONS[id] : undefined;
  if (!operation) throw new TypeError(`No operation "${String(id)}"; the operations are the operationIds of /openapi.json`);
  const params: Record<string, unknown> = { service, ...input.params };
  const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === null || value === '') throw new TypeError(`${String(id)} needs params.${name}`);
    return encodeURIComponent(String(value));
  });
  // A body the operation requires: left out, the server's 400 would not say that the call forgot it.
  if (operation.body === 'required' && input.body === undefined) throw new TypeError(`${String(id)} needs a body`);
  return send(transport, {
    method: operation.method,
    path,
    query: input.query,
    body: operation.body === 'none' ? undefined : input.body,
    auth: operation.auth,
    answer: operation.answer,
  });
}

/** Every operation as a method of one object. */
export function operationMethods(call: (id: OperationId, input?: LooseInput) => Promise<unknown>): Api {
  const api: Record<string, (input?: LooseInput) => Promise<unknown>> = {};
  for (const id of Object.keys(OPERATIONS) as OperationId[]) api[id] = (input) => call(id, input);
  return api as unknown as Api;
}
