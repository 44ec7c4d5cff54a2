import type { Domain } from '../../server/core/domain.js';
import { awardChecked, revokeAward } from '../../server/core/rules/awards.js';
import type { Evidence } from '../../server/core/rules/instances.js';

/**
 * One award made by the real rule (core/rules/awards.ts), dated and with evidence as an approved
 * application's award carries them; answers the instance's id, as the user's read lists it.
 */
export async function awardOnce(domain: Domain, service: string, user: string, badge: string, options: { at?: string; evidence?: Evidence[] } = {}): Promise<string> {
  const { awards, skipped } = await domain.run(service, (tx) => awardChecked(tx, service, user, [badge], options.at ? new Date(options.at) : undefined, { evidence: options.evidence }));
  if (!awards[0]) throw new Error(`${badge} not awarded to ${user}: ${JSON.stringify(skipped)}`);
  return awards[0].id;
}

/** Revokes one award by its id, as `DELETE users/{name}/awards/{id}.json` does. */
export async function revokeOnce(domain: Domain, service: string, user: string, id: string, reason: string | null = null): Promise<void> {
  await domain.run(service, (tx) => revokeAward(tx, service, user, id, reason));
}
