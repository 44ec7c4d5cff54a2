import { randomBytes } from 'node:crypto';
import type { Domain } from '../../server/core/domain.js';
import type { DomainEvent } from '../../server/core/events.js';

/**
 * Award instances as issue 22 defines them (item kind `award`, id `aw_` + 20 base32 characters,
 * subject the user, v `{badge, at, cause?, evidence?, revoked?}`), written directly: the rules that
 * make them (core/rules/instances.ts) come from the other half of the issue. Open Badges reads them
 * through this contract only, so its tests hold whichever rule wrote them.
 */

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
export const awardId = () => 'aw_' + [...randomBytes(20)].map((byte) => BASE32[byte & 31]).join('');

export async function putAward(domain: Domain, service: string, user: string, badge: string, options: { at?: string; evidence?: unknown[] } = {}): Promise<string> {
  const id = awardId();
  await domain.run(service, async (tx) => {
    const at = options.at ?? tx.now.toISOString();
    tx.put({ t: 'item', s: service, v: { kind: 'award', id, owner: user, subject: user, at, v: { badge, at, ...(options.evidence ? { evidence: options.evidence } : {}) } } });
  });
  return id;
}

/** Revokes one instance as the instances' rule does: the record kept, marked, and `award.revoked` naming it. */
export async function revokeAward(domain: Domain, service: string, id: string, reason?: string): Promise<void> {
  await domain.run(service, async (tx) => {
    const item = await tx.item(service, 'award', id);
    if (!item) throw new Error(`no award ${id}`);
    const v = item.v as { badge: string };
    const at = tx.now.toISOString();
    tx.put({ t: 'item', s: service, v: { ...item, v: { ...v, revoked: { at, ...(reason ? { reason } : {}) } } } });
    tx.emit({ type: 'award.revoked', service, user: item.owner!, badge: v.badge, count: 1, awards: [id], ...(reason ? { reason } : {}), at } as DomainEvent);
  });
}
