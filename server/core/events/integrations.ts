import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { notFound } from '../errors.js';
import type { Queries, Tx } from '../ports.js';
import { requireService } from '../rules/services.js';
import { KIND } from './kinds.js';

/**
 * Integration tokens: what GetBadges' webhook URL carries (`/v0/event/log/<token>`). A token is
 * `<service>.<id>.<secret>`: the service and the token's id are found without a search, and only
 * a digest of the secret is kept.
 */

export interface Integration {
  id: string;
  name: string;
  createdAt: string;
}

interface Kept {
  name: string;
  digest: string;
}

const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');

export async function createIntegration(tx: Tx, service: string, name: string): Promise<Integration & { token: string }> {
  await requireService(tx, service);
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  const at = tx.now.toISOString();
  tx.put({ t: 'item', s: service, v: { kind: KIND.integration, id, owner: null, at, v: { name, digest: digest(secret) } satisfies Kept } });
  tx.emit({ type: 'integration.created', service, integration: id, name, at });
  return { id, name, createdAt: at, token: `${service}.${id}.${secret}` };
}

export async function listIntegrations(store: Pick<Queries, 'listItems'>, service: string): Promise<Integration[]> {
  return (await store.listItems(service, KIND.integration, {})).map((item) => ({ id: item.id, name: (item.v as Kept).name, createdAt: item.at }));
}

export async function deleteIntegration(tx: Tx, service: string, id: string): Promise<void> {
  if (!(await tx.item(service, KIND.integration, id))) throw notFound('integration_not_found', `Integration "${id}" does not exist in service "${service}"`);
  tx.put({ t: 'item-', s: service, k: KIND.integration, id });
  tx.emit({ type: 'integration.deleted', service, integration: id, at: tx.now.toISOString() });
}

/** The service and integration a token belongs to, or undefined for a token that is not (or no longer) valid. */
export async function integrationOfToken(store: Pick<Queries, 'getItem'>, token: string): Promise<{ service: string; id: string } | undefined> {
  const match = /^([A-Za-z0-9][A-Za-z0-9_-]{0,63})\.([0-9a-f]{12})\.([A-Za-z0-9_-]{32})$/.exec(token);
  if (!match) return undefined;
  const [, service, id, secret] = match;
  const item = await store.getItem(service!, KIND.integration, id!);
  if (!item) return undefined;
  const kept = Buffer.from((item.v as Kept).digest, 'hex');
  return timingSafeEqual(kept, Buffer.from(digest(secret!), 'hex')) ? { service: service!, id: id! } : undefined;
}
