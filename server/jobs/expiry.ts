import { expireInvitations, INVITATION_KIND } from '../core/access/invitations.js';
import { PREVIOUS_KEY_KIND } from '../core/access/keys.js';
import { accessConfig } from '../config/access.js';
import type { Job } from './background.js';
import type { JobDeps } from './deps.js';

export const EXPIRY_JOB = 'access-expiry';

/**
 * Removes the items of `kind` due before `before()` (now by default), a service at a time, in
 * rounds of 1,000; a service whose removal fails is left for the next round.
 */
export async function expireItems(
  { store, config }: Pick<JobDeps, 'store' | 'config'>,
  kind: string,
  remove: (service: string, ids: string[]) => Promise<unknown>,
  before = () => config.now(),
): Promise<void> {
  for (let failed = false; !failed; ) {
    const due = await store.dueItems(kind, new Date(before()).toISOString(), 1000);
    const byService = new Map<string, string[]>();
    for (const { service, item } of due) byService.set(service, [...(byService.get(service) ?? []), item.id]);
    for (const [service, ids] of byService) {
      await remove(service, ids).catch((error) => {
        // Left for the next round rather than read again and again now.
        failed = true;
        config.log(`removing expired ${kind} items of ${service} failed`, error);
      });
    }
    if (due.length < 1000) return;
  }
}

/** Invitations past their expiry and previous keys past their grace, removed. */
export function expiryJob({ store, domain: anyone, config }: JobDeps): Job {
  const settings = accessConfig(config);
  const domain = anyone.as({ type: 'system', job: EXPIRY_JOB });
  return {
    name: EXPIRY_JOB,
    intervalMs: settings.expiryPollMs,
    async run() {
      await expireItems({ store, config }, INVITATION_KIND, (service, ids) => domain.run(service, (tx) => expireInvitations(tx, service, ids)));
      await expireItems({ store, config }, PREVIOUS_KEY_KIND, (service) =>
        domain.run(service, async (tx) => {
          const item = await tx.item(service, PREVIOUS_KEY_KIND, 'service');
          if (item && item.at <= tx.now.toISOString()) tx.put({ t: 'item-', s: service, k: PREVIOUS_KEY_KIND, id: 'service' });
        }),
      );
    },
  };
}
