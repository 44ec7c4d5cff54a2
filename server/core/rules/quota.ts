import { DomainError } from '../errors.js';
import type { ServiceRecord } from '../model.js';
import type { Reads } from '../ports.js';

/**
 * Checked after a unit made its changes, against the result: one request that adds many badges
 * cannot step over the quota, and two requests at once cannot both pass a check made before either
 * wrote (units of a service never interleave).
 */
export async function checkQuota(tx: Reads, service: ServiceRecord): Promise<void> {
  const quota = service.settings?.quota;
  if (!quota) return;
  const [users, badges] = await Promise.all([tx.userCount(service.name), tx.badgeCount(service.name)]);
  const over = [
    users > quota.users ? `${quota.users} users; this request would make ${users}` : null,
    badges > quota.badges ? `${quota.badges} badges; this request would make ${badges}` : null,
  ].filter((part) => part !== null);
  if (over.length > 0) throw new DomainError('forbidden', 'quota_exceeded', `it may hold at most ${over.join(', and at most ')}`);
}
