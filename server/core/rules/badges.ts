import type { BadgeInput, BadgeRecord } from '../model.js';
import type { Tx } from '../ports.js';
import { settleHome } from '../issuing/issuers.js';
import { settleTerms } from '../terms.js';
import { forgetNumbers, numberBadges } from './badge-numbers.js';
import { liveInstances, markRevoked } from './instances.js';
import { checkQuota } from './quota.js';
import { requireService } from './services.js';

/**
 * Creates missing badges and merges fields into existing ones; a field set to null is removed. The
 * meaningful fields are checked together on the result (see terms.ts).
 */
export async function putBadges(tx: Tx, serviceName: string, inputs: readonly BadgeInput[]): Promise<void> {
  const service = await requireService(tx, serviceName);
  const existing = await tx.badges(serviceName, inputs.map((i) => i.name));
  const merged = new Map<string, BadgeRecord>();
  for (const input of inputs) {
    const base = merged.get(input.name) ??
      existing.get(input.name) ?? { name: input.name, fields: {}, count: 0, latest: null, createdAt: tx.now.toISOString() };
    const fields = { ...base.fields };
    for (const [field, value] of Object.entries(input.fields)) {
      if (value === null) delete fields[field];
      else fields[field] = value;
    }
    merged.set(input.name, { ...base, fields: await settleHome(tx, serviceName, input.name, input.fields, fields) });
  }
  for (const [name, badge] of merged) merged.set(name, { ...badge, fields: settleTerms(name, badge.fields) });
  const wanted = new Map(inputs.flatMap((input) => (input.id === undefined ? [] : [[input.name, input.id] as const])));
  await numberBadges(tx, serviceName, [...merged.keys()], wanted);
  for (const v of merged.values()) {
    tx.put({ t: 'badge', s: serviceName, v });
    tx.emit({ type: existing.has(v.name) ? 'badge.updated' : 'badge.created', service: serviceName, badge: v.name, at: tx.now.toISOString() });
  }
  await checkQuota(tx, service);
}

/**
 * Deletes badges and takes them from every holder, with the holders' progress towards them (progress
 * of users who never held one stays, and counts again for a badge registered anew under the name:
 * finding them would need an index of progress). Their award instances are kept, revoked ("badge
 * deleted"). Deleting is idempotent: names that are not registered (deleted before, by a retry of
 * this request) are returned, not refused.
 */
export async function deleteBadges(tx: Tx, serviceName: string, names: readonly string[]): Promise<{ absent: string[] }> {
  await requireService(tx, serviceName);
  const found = await tx.badges(serviceName, names);
  const doomed = new Set(found.keys());
  const affected = new Set<string>();
  for (const badge of doomed) for (const user of await tx.holders(serviceName, badge)) affected.add(user);
  for (const name of affected) {
    const user = (await tx.user(serviceName, name))!;
    const progress = user.progress && Object.fromEntries(Object.entries(user.progress).filter(([badge]) => !doomed.has(badge)));
    tx.put({ t: 'user', s: serviceName, v: { ...user, awards: user.awards.filter((a) => !doomed.has(a.badge)), ...(progress ? { progress } : {}) } });
    for (const instances of (await liveInstances(tx, serviceName, name, doomed)).values()) markRevoked(tx, serviceName, instances, 'badge deleted');
  }
  await forgetNumbers(tx, serviceName, [...doomed]);
  for (const name of doomed) {
    tx.put({ t: 'badge-', s: serviceName, n: name });
    // Its holders lose it too; the one event says so, rather than one per holder.
    tx.emit({ type: 'badge.deleted', service: serviceName, badge: name, at: tx.now.toISOString() });
  }
  return { absent: [...new Set(names.filter((name) => !doomed.has(name)))] };
}
