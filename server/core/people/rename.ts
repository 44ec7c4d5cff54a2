import { nameProblem } from '../../../types/schema.js';
import { REDEMPTION_KIND } from '../access/claim-codes.js';
import { APPLICATION_KIND, ASSIGNMENT_KIND, REVIEW_KIND } from '../assessment/applications.js';
import { CLAIMED_KIND } from '../access/invitations.js';
import { EMAIL_KIND } from '../email.js';
import { conflict, invalid } from '../errors.js';
import { KIND } from '../events/kinds.js';
import { SEGMENTS_KIND } from '../segments.js';
import { LIVE_KIND } from '../live.js';
import type { Item } from '../model.js';
import type { Tx } from '../ports.js';
import { movePlaces } from './places.js';
import { personsRecords } from './records.js';

/**
 * Where a kind of item holds its person's name besides `owner` and `subject`: in its id (a rule
 * state is "rule/user", a redemption "code\nuser") or in its value. Records of what was said then
 * (events as sent, webhook payloads, audit entries) keep the name they said; their subject moves.
 */
const NAMED: Record<string, { id?: (id: string, from: string, to: string) => string; user?: true }> = {
  [KIND.state]: { id: (id, from, to) => id.slice(0, -from.length) + to },
  [KIND.expiry]: { id: (id, from, to) => id.slice(0, -from.length) + to, user: true },
  [REDEMPTION_KIND]: { id: (id, from, to) => id.slice(0, -from.length) + to, user: true },
  [EMAIL_KIND]: { user: true },
  [SEGMENTS_KIND]: { id: (_id, _from, to) => to },
  [CLAIMED_KIND]: { user: true },
  // A live entry tells pages showing the user: after a rename, those showing the new name.
  [LIVE_KIND]: { user: true },
  [APPLICATION_KIND]: { user: true },
  [ASSIGNMENT_KIND]: { user: true },
  [REVIEW_KIND]: { user: true },
};

export interface Renamed {
  from: string;
  to: string;
  /** What moved, by kind (`user`: their record, with its awards and progress). */
  moved: Record<string, number>;
}

/**
 * Renames a user with everything the service holds of them, in one unit: their record (awards,
 * progress, so no badge count changes), addresses, events, activity, rule states and expiries,
 * invitations claimed, redemptions, and the subject of their webhook messages and audit entries.
 * The new name must be nobody's yet.
 */
export async function renameUser(tx: Tx, service: string, from: string, rawTo: string): Promise<Renamed> {
  const problem = nameProblem(rawTo);
  if (problem) throw invalid('invalid_user_name', `The new name: a user name ${problem}`);
  const to = rawTo.normalize('NFC');
  if (to === from) throw invalid('same_name', `User "${from}" has that name already`);
  const { user, items } = await personsRecords(tx, service, from);
  if ((await tx.user(service, to)) || (await tx.itemsOfSubjects(service, [to])).length > 0) {
    throw conflict('user_exists', `Service "${service}" has a user "${to}" already; choose another name`);
  }
  const moved: Record<string, number> = {};
  if (user) {
    tx.put({ t: 'user-', s: service, n: from });
    tx.put({ t: 'user', s: service, v: { ...user, name: to } });
    moved.user = 1;
  }
  // An address's records stay the address's: only the name's move.
  for (const item of items.filter((item) => item.subject === from)) {
    const next = renamed(item, from, to);
    if (next.id !== item.id) tx.put({ t: 'item-', s: service, k: item.kind, id: item.id });
    tx.put({ t: 'item', s: service, v: next });
    moved[item.kind] = (moved[item.kind] ?? 0) + 1;
  }
  await movePlaces(tx, service, from, to, new Set());
  tx.emit({ type: 'user.renamed', service, from, to, at: tx.now.toISOString() });
  return { from, to, moved };
}

function renamed(item: Item, from: string, to: string): Item {
  const named = NAMED[item.kind];
  const v = named?.user && (item.v as { user?: unknown }).user === from ? { ...(item.v as object), user: to } : item.v;
  return { ...item, id: named?.id?.(item.id, from, to) ?? item.id, owner: item.owner === from ? to : item.owner, subject: to, v };
}
