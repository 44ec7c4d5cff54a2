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
  if (users > quota.users || badges > quota.badges) {
    throw new DomainError(
      'forbidden',
      'service_full',
      `Service "${service.name}" may hold at most ${quota.users} users and ${quota.badges} badges; this request would make ${users} users and ${badges} badges`,
    );
  }
}
