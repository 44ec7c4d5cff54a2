import { newId } from '../access/ids.js';
import { AUDIT_KIND } from '../audit.js';
import { KIND } from '../events/kinds.js';
import type { Item } from '../model.js';
import type { Tx } from '../ports.js';
import { movePlaces } from './places.js';
import { personsRecords } from './records.js';

export interface Erased {
  /** Stands for the person in the audit trail and in the `user.erased` event from now on. */
  pseudonym: string;
  /** What went, by kind (`user`: their record, with its awards and progress). */
  removed: Record<string, number>;
  /** Audit entries kept, the person in them pseudonymised. */
  pseudonymised: number;
  /** Their name and addresses as they were: what the caller must also forget outside the store (kept answers). */
  forget: string[];
}

/**
 * Erases a person (GDPR article 17; Mastodon's DeleteAccountService, Discourse's UserDestroyer), in
 * one unit: their user record and every record of theirs or of their addresses (core/subjects.ts),
 * webhook messages, deliveries and attempts included. The badges they held are recounted, `latest`
 * from the other holders. Audit entries stay, with the person replaced by a pseudonym; the
 * `user.erased` event names only the pseudonym. No award is revoked one by one: a revocation would
 * tell webhooks and the audit trail the name it is erasing.
 */
export async function eraseUser(tx: Tx, service: string, name: string): Promise<Erased> {
  const { user, addresses, items } = await personsRecords(tx, service, name);
  const pseudonym = newId('erased');
  const removed: Record<string, number> = {};
  let pseudonymised = 0;
  if (user) {
    const badges = await tx.badges(service, user.awards.map((a) => a.badge));
    const others = new Set([name]);
    for (const held of user.awards) {
      const badge = badges.get(held.badge);
      if (!badge) continue;
      tx.put({ t: 'badge', s: service, v: { ...badge, count: badge.count - held.count, latest: await tx.latestAward(service, held.badge, others) } });
    }
    tx.put({ t: 'user-', s: service, n: name });
    removed.user = 1;
  }
  for (const item of items) {
    if (item.kind === AUDIT_KIND) {
      tx.put({ t: 'item', s: service, v: { ...item, subject: null, v: withPseudonym(item, pseudonym) } });
      pseudonymised++;
      continue;
    }
    tx.put({ t: 'item-', s: service, k: item.kind, id: item.id });
    removed[item.kind] = (removed[item.kind] ?? 0) + 1;
  }
  await movePlaces(tx, service, name, null, new Set(items.filter((item) => item.kind === KIND.event).map((item) => item.id)));
  tx.emit({ type: 'user.erased', service, user: pseudonym, at: tx.now.toISOString() });
  return { pseudonym, removed, pseudonymised, forget: [name, ...addresses] };
}

/** Who was acted on becomes the pseudonym; what their event said (its id, preview, link) goes. */
function withPseudonym(entry: Item, pseudonym: string): unknown {
  const v = { ...(entry.v as Record<string, unknown>) };
  for (const field of ['user', 'email', 'from', 'to']) if (field in v) v[field] = pseudonym;
  if (v.cause && typeof v.cause === 'object') {
    const { event: _event, preview: _preview, permalink: _permalink, ...kept } = v.cause as Record<string, unknown>;
    v.cause = kept;
  }
  return v;
}
